/**
 * ZeroMQ transport (Open MPI btl/tcp's role): every rank binds one PULL socket that all peers push
 * into, and opens a PUSH socket towards a peer the first time it sends to it (lazy connections keep
 * wire-up linear in the number of ranks). ZeroMQ keeps order per connection, which gives MPI's
 * non-overtaking rule per sender. Messages to self go through `SelfLink`, not a socket.
 */
import * as zmq from "zeromq";
import type { TransportKind } from "../wireup/protocol.ts";
import { SelfLink } from "./self.ts";
import type { Deliver, Frames, Transport } from "./transport.ts";

/**
 * How long a closing rank keeps trying to hand queued messages to their peers (ms). Finite so that
 * a rank whose peer is gone still exits; messages to live peers are flushed long before.
 */
const SEND_LINGER_MS = 10_000;

interface QueuedSend {
  frames: Frames;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One peer's PUSH socket and the sends waiting for it: zeromq.js allows one pending send per socket. */
class PeerLink {
  readonly #socket: zmq.Push;
  readonly #queue: QueuedSend[] = [];
  #flushing = false;
  #drained: (() => void) | undefined;

  constructor(endpoint: string) {
    // Unlimited high-water mark: MPI's `send` must complete whatever the receiver is doing.
    this.#socket = new zmq.Push({ sendHighWaterMark: 0, linger: SEND_LINGER_MS });
    this.#socket.connect(endpoint);
  }

  send(frames: Frames): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ frames, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      try {
        await this.#socket.send(next.frames);
        next.resolve();
      } catch (error) {
        next.reject(error);
      }
    }
    this.#flushing = false;
    this.#drained?.();
  }

  async close(): Promise<void> {
    if (this.#flushing) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#socket.close();
  }
}

export class ZmqTransport implements Transport {
  readonly #rank: number;
  readonly #pull: zmq.Pull;
  readonly #self: SelfLink;
  readonly #deliver: Deliver;
  readonly #peers: (PeerLink | undefined)[] = [];
  #endpoints: readonly string[] = [];
  #demand = 0;
  #receiving = false;
  #awaitingReceive = false;
  #closed = false;
  #waker: zmq.Push | undefined;

  private constructor(rank: number, pull: zmq.Pull, deliver: Deliver) {
    this.#rank = rank;
    this.#pull = pull;
    this.#deliver = deliver;
    this.#self = new SelfLink(deliver);
  }

  /** Binds this rank's receive socket; returns the transport and the endpoint peers must use. */
  static async bind(options: {
    rank: number;
    kind: TransportKind;
    jobDir: string;
    deliver: Deliver;
  }): Promise<{ transport: ZmqTransport; endpoint: string }> {
    const pull = new zmq.Pull({ receiveHighWaterMark: 0, linger: 0 });
    const address = options.kind === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${options.jobDir}/rank-${options.rank}.sock`;
    await pull.bind(address);
    const endpoint = pull.lastEndpoint ?? address;
    return { transport: new ZmqTransport(options.rank, pull, options.deliver), endpoint };
  }

  /** Peers' endpoints, indexed by world rank; no socket is opened until the first send. */
  setPeers(endpoints: readonly string[]): void {
    this.#endpoints = endpoints;
  }

  send(dest: number, frames: Frames): Promise<void> {
    if (dest === this.#rank) return this.#self.send(frames);
    let peer = this.#peers[dest];
    if (peer === undefined) {
      const endpoint = this.#endpoints[dest];
      if (endpoint === undefined) return Promise.reject(new Error(`no endpoint known for rank ${dest}`));
      peer = this.#peers[dest] = new PeerLink(endpoint);
    }
    return peer.send(frames);
  }

  want(): void {
    this.#demand++;
    if (!this.#receiving && !this.#closed) void this.#receiveLoop();
  }

  unwant(): void {
    this.#demand--;
    // The last waiter was satisfied without a socket message (a self send): the pending receive
    // would keep the event loop alive, so wake it with an empty message to ourselves.
    if (this.#demand === 0 && this.#awaitingReceive) this.#wake();
  }

  poll(): void {
    if (!this.#receiving && !this.#closed && this.#pull.readable) void this.#receiveLoop();
  }

  async #receiveLoop(): Promise<void> {
    this.#receiving = true;
    try {
      while (!this.#closed && (this.#demand > 0 || this.#pull.readable)) {
        this.#awaitingReceive = true;
        const frames = await this.#pull.receive();
        this.#awaitingReceive = false;
        const [header, payload] = frames;
        if (header === undefined || header.length === 0) continue; // a wake-up
        this.#deliver(header, payload ?? Buffer.alloc(0));
      }
    } catch (error) {
      if (!this.#closed) throw error;
    } finally {
      this.#receiving = false;
      this.#awaitingReceive = false;
    }
  }

  #wake(): void {
    if (this.#waker === undefined) {
      this.#waker = new zmq.Push({ linger: 0 });
      this.#waker.connect(this.#pull.lastEndpoint ?? "");
    }
    void this.#waker.send(Buffer.alloc(0)).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all(this.#peers.map((peer) => peer?.close()));
    this.#closed = true;
    this.#waker?.close();
    this.#pull.close();
  }
}
