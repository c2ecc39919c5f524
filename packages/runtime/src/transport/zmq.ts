/**
 * ZeroMQ transport (Open MPI btl/tcp's role): every rank binds one PULL socket that all peers push
 * into, and opens a PUSH socket towards a peer the first time it sends to it (lazy connections keep
 * wire-up linear in the number of ranks). ZeroMQ keeps order per connection, which gives MPI's
 * non-overtaking rule per sender. Messages to self go through `SelfLink`, not a socket. With ipc
 * (one host), payloads over SMALL_MESSAGE_BYTES travel through shared-memory rings and only a
 * notice through the socket (shared-ring.ts); `TSMPI_SHM=0` turns that off.
 */
import * as zmq from "zeromq";
import type { TransportKind } from "../wireup/protocol.ts";
import {
  headerFrame,
  releasedToken,
  releaseFrame,
  releaseOwed,
  ringNotice,
  ringNoticeFrame,
  singleFrame,
  SMALL_MESSAGE_BYTES,
  type Envelope,
} from "../wire/header.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { protocolViolation } from "../errors.ts";
import { loadedShmModule, shmModule } from "../shm/segment.ts";
import { SelfLink } from "./self.ts";
import { RingReader, ringName, RingWriter } from "./shared-ring.ts";
import { SendBufferPool } from "./send-buffers.ts";
import type { Deliver, Transport } from "./transport.ts";

type Frames = Buffer[];

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

/**
 * One peer's PUSH socket. zeromq.js takes a send synchronously while the socket is writable and
 * refuses a second one (EBUSY) while a send waits for the socket; so frames go straight to zeromq
 * until it refuses, then wait in order in a queue that is flushed when the pending send completes.
 * (Awaiting every send instead costs a promise turn per message: 8 kmsg/s for a stream of isends.)
 */
class PeerLink {
  readonly #socket: zmq.Push;
  /** Sends waiting for the socket, oldest at `#head`. */
  #queue: QueuedSend[] = [];
  #head = 0;
  /** The most recent send zeromq accepted: once it settles, the socket takes sends again. */
  #last: Promise<void> = Promise.resolve();
  #flushScheduled = false;

  constructor(endpoint: string, linger = SEND_LINGER_MS) {
    // Unlimited high-water mark: MPI's `send` must complete whatever the receiver is doing.
    this.#socket = new zmq.Push({ sendHighWaterMark: 0, linger });
    this.#socket.connect(endpoint);
  }

  send(frames: Frames): Promise<void> {
    if (this.#head === this.#queue.length) {
      const sent = this.#trySend(frames);
      if (sent !== undefined) return sent;
    }
    const queued = new Promise<void>((resolve, reject) => this.#queue.push({ frames, resolve, reject }));
    this.#scheduleFlush();
    return queued;
  }

  /** Hands frames to zeromq; `undefined` if the socket is busy with a pending send. */
  #trySend(frames: Frames): Promise<void> | undefined {
    try {
      const sent = this.#socket.send(frames);
      this.#last = sent;
      return sent;
    } catch (error) {
      if ((error as { code?: string }).code === "EBUSY") return undefined;
      return Promise.reject(error);
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#last.then(this.#flush, this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      const sent = this.#trySend(next.frames);
      if (sent === undefined) {
        this.#scheduleFlush();
        return;
      }
      sent.then(next.resolve, next.reject);
      this.#head++;
    }
    this.#queue = [];
    this.#head = 0;
  };

  async close(): Promise<void> {
    while (this.#head < this.#queue.length || this.#flushScheduled) await this.#last.catch(() => undefined);
    await this.#last.catch(() => undefined);
    this.#socket.close();
  }
}

export class ZmqTransport implements Transport {
  readonly #rank: number;
  readonly #pull: zmq.Pull;
  readonly #self: SelfLink;
  readonly #deliver: Deliver;
  readonly #peers: (PeerLink | undefined)[] = [];
  /**
   * Buffer releases travel on links of their own that do not linger: a release owed to a rank that
   * has already finished is worthless, and must not hold this rank's exit for the linger period.
   */
  readonly #releaseLinks: (PeerLink | undefined)[] = [];
  readonly #sendBuffers = new SendBufferPool();
  /** Segment-name prefix of this job's shared rings; `undefined`: rings are off. */
  readonly #ringPrefix: string | undefined;
  /** Rings towards each peer; `null` once creating one failed (the socket carries everything). */
  readonly #ringWriters: (RingWriter | null | undefined)[] = [];
  readonly #ringReaders: (RingReader | undefined)[] = [];
  #loadingShm: Promise<void> | undefined;
  #shmUnavailable = false;
  #endpoints: readonly string[] = [];
  #demand = 0;
  #receiving = false;
  #awaitingReceive = false;
  #closed = false;
  #waker: zmq.Push | undefined;

  private constructor(rank: number, pull: zmq.Pull, deliver: Deliver, ringPrefix: string | undefined) {
    this.#rank = rank;
    this.#ringPrefix = ringPrefix;
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
    /** Segment-name prefix for shared rings (ipc only: the ranks share a host); omit to turn them off. */
    ringPrefix?: string | undefined;
  }): Promise<{ transport: ZmqTransport; endpoint: string }> {
    const pull = new zmq.Pull({ receiveHighWaterMark: 0, linger: 0 });
    const address = options.kind === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${options.jobDir}/rank-${options.rank}.sock`;
    await pull.bind(address);
    const ringPrefix = options.kind === "ipc" ? options.ringPrefix : undefined;
    const endpoint = pull.lastEndpoint ?? address;
    return { transport: new ZmqTransport(options.rank, pull, options.deliver, ringPrefix), endpoint };
  }

  get sharedMemoryPrefix(): string | undefined {
    return this.#ringPrefix;
  }

  /** Peers' endpoints, indexed by world rank; no socket is opened until the first send. */
  setPeers(endpoints: readonly string[]): void {
    this.#endpoints = endpoints;
  }

  send(dest: number, envelope: Envelope, payload: EncodedPayload): Promise<void> {
    if (dest === this.#rank) return this.#self.send(envelope, payload);
    const peer = this.#peer(dest);
    const { bytes } = payload;
    if (bytes.length <= SMALL_MESSAGE_BYTES) return peer.send([singleFrame(envelope, payload, bytes)]);
    const position = this.#ringTo(dest)?.write(bytes);
    if (position !== undefined) return peer.send([ringNoticeFrame(envelope, payload, position, bytes.length, this.#rank)]);
    const { buffer, token } = this.#sendBuffers.acquire(bytes.length);
    buffer.set(bytes);
    // Releases of earlier buffers may be waiting even though nobody receives here (a pure sender).
    this.poll();
    return peer.send([headerFrame(envelope, payload, token, this.#rank), buffer]);
  }

  /**
   * The ring towards `dest`, created on first use; `undefined` if rings are off or cannot be made,
   * or while the addon loads: the first large message starts loading it (programs that send none
   * never pay its ~2-3 ms), and messages meanwhile go through the socket, in order as always.
   */
  #ringTo(dest: number): RingWriter | undefined {
    const known = this.#ringWriters[dest];
    if (known !== undefined || this.#ringPrefix === undefined || this.#shmUnavailable) return known ?? undefined;
    const shm = loadedShmModule();
    if (shm === undefined) {
      this.#loadingShm ??= shmModule().then(
        () => undefined,
        () => {
          this.#shmUnavailable = true;
        },
      );
      return undefined;
    }
    let ring: RingWriter | undefined;
    try {
      ring = RingWriter.create(shm, ringName(this.#ringPrefix, this.#rank, dest));
    } catch {
      ring = undefined;
    }
    this.#ringWriters[dest] = ring ?? null;
    return ring;
  }

  /** Maps the ring from `origin` when its first notice arrives. */
  async #attachRing(origin: number): Promise<RingReader> {
    const shm = loadedShmModule() ?? (await shmModule());
    const name = ringName(this.#ringPrefix ?? "", origin, this.#rank);
    const ring = RingReader.attach(shm, name);
    if (ring === undefined) throw protocolViolation(
      { rank: this.#rank, call: "receive" },
      `rank ${origin} sent a message through shared ring ${name}, which does not exist`,
    );
    this.#ringReaders[origin] = ring;
    return ring;
  }

  #peer(dest: number): PeerLink {
    return (this.#peers[dest] ??= new PeerLink(this.#endpoint(dest)));
  }

  #releaseLink(dest: number): PeerLink {
    return (this.#releaseLinks[dest] ??= new PeerLink(this.#endpoint(dest), 0));
  }

  #endpoint(dest: number): string {
    const endpoint = this.#endpoints[dest];
    if (endpoint === undefined) throw new Error(`no endpoint known for rank ${dest}`);
    return endpoint;
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
    if (!this.#receiving && !this.#closed && this.#pull.readable) void this.#receiveLoop(true);
  }

  async drain(): Promise<void> {
    if (!this.#receiving && !this.#closed) await this.#receiveLoop(true);
  }

  /**
   * Pulls messages while somebody waits for one; `drain` (from `poll`) pulls only what has
   * already arrived. Ends as soon as nobody waits, so that an idle rank has no pending receive.
   */
  async #receiveLoop(drain = false): Promise<void> {
    this.#receiving = true;
    try {
      while (!this.#closed && (this.#demand > 0 || (drain && this.#pull.readable))) {
        this.#awaitingReceive = true;
        const frames = await this.#pull.receive();
        this.#awaitingReceive = false;
        if (frames.length === 1 && frames[0]!.length === 0) continue; // a wake-up
        const released = releasedToken(frames);
        if (released !== undefined) {
          this.#sendBuffers.release(released);
          continue;
        }
        const notice = ringNotice(frames);
        if (notice !== undefined) {
          const ring = this.#ringReaders[notice.origin] ?? (await this.#attachRing(notice.origin));
          this.#deliver([notice.header, ring.take(notice.position, notice.length)]);
          continue;
        }
        const owed = releaseOwed(frames);
        if (owed !== undefined) this.#releaseLink(owed.origin).send([releaseFrame(owed.token)]).catch(() => undefined);
        this.#deliver(frames);
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
    this.#waker.send(Buffer.alloc(0)).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#peers, ...this.#releaseLinks].map((peer) => peer?.close()));
    this.#closed = true;
    this.#waker?.close();
    this.#pull.close();
  }
}
