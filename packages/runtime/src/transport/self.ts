import { headerFrame, singleFrame, SMALL_MESSAGE_BYTES, type Header } from "../wire/header.ts";
import type { Deliver, Transport } from "./transport.ts";

/**
 * Messages a rank sends to itself never touch a socket (Open MPI btl/self). The payload is copied,
 * since the receiver keeps what it gets, and delivery is deferred to a microtask so that `send`
 * returns before the message is matched, as it would over a socket; microtasks keep FIFO order, so
 * self messages are never overtaken either.
 */
export class SelfLink {
  readonly #deliver: Deliver;

  constructor(deliver: Deliver) {
    this.#deliver = deliver;
  }

  send(header: Header, payload: Buffer): Promise<void> {
    const frames =
      payload.length <= SMALL_MESSAGE_BYTES ? [singleFrame(header, payload)] : [headerFrame(header), Buffer.from(payload)];
    queueMicrotask(() => this.#deliver(frames));
    return Promise.resolve();
  }
}

/** The whole transport of a singleton (a program started without tsmpirun): only itself to talk to. */
export class SelfTransport implements Transport {
  readonly #link: SelfLink;

  constructor(deliver: Deliver) {
    this.#link = new SelfLink(deliver);
  }

  send(_dest: number, header: Header, payload: Buffer): Promise<void> {
    return this.#link.send(header, payload);
  }

  want(): void {}
  unwant(): void {}
  poll(): void {}
  async drain(): Promise<void> {}
  async close(): Promise<void> {}
}
