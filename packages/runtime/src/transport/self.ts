import type { Deliver, Frames } from "./transport.ts";

/**
 * Messages a rank sends to itself never touch a socket (Open MPI btl/self). Delivery is deferred to
 * a microtask so that `send` returns before the message is matched, as it would over a socket,
 * and microtasks keep FIFO order, so self messages are never overtaken either.
 */
export class SelfLink {
  readonly #deliver: Deliver;

  constructor(deliver: Deliver) {
    this.#deliver = deliver;
  }

  send(frames: Frames): Promise<void> {
    queueMicrotask(() => this.#deliver(frames[0], frames[1]));
    return Promise.resolve();
  }
}

/** The whole transport of a singleton (a program started without tsmpirun): only itself to talk to. */
export class SelfTransport {
  readonly #link: SelfLink;

  constructor(deliver: Deliver) {
    this.#link = new SelfLink(deliver);
  }

  send(_dest: number, frames: Frames): Promise<void> {
    return this.#link.send(frames);
  }

  want(): void {}
  unwant(): void {}
  poll(): void {}
  async close(): Promise<void> {}
}
