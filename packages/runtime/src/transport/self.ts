import type { EncodedPayload } from "../wire/codec.ts";
import { headerFrame, singleFrame, SMALL_MESSAGE_BYTES, type Envelope } from "../wire/header.ts";
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

  send(envelope: Envelope, payload: EncodedPayload): Promise<void> {
    const { bytes } = payload;
    const frames =
      bytes.length <= SMALL_MESSAGE_BYTES ? [singleFrame(envelope, payload, bytes)] : [headerFrame(envelope, payload), Buffer.from(bytes)];
    queueMicrotask(() => this.#deliver(frames));
    return Promise.resolve();
  }
}

/** The whole transport of a singleton (a program started without tsmpirun): only itself to talk to. */
export class SelfTransport implements Transport {
  readonly #link: SelfLink;
  readonly sharedMemoryPrefix = undefined;
  sameHost(): boolean {
    return true;
  }

  constructor(deliver: Deliver) {
    this.#link = new SelfLink(deliver);
  }

  send(_dest: number, envelope: Envelope, payload: EncodedPayload): Promise<void> {
    return this.#link.send(envelope, payload);
  }

  hasSentTo(): boolean {
    return false;
  }

  want(): void {}
  unwant(): void {}
  poll(): void {}
  async drain(): Promise<void> {}
  async close(): Promise<void> {}
}
