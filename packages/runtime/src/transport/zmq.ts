/**
 * ZeroMQ transport (Open MPI btl/tcp's role): every rank binds one PULL socket that all peers push
 * into, and opens a PUSH socket towards a peer the first time it sends to it (lazy connections keep
 * wire-up linear in the number of ranks). ZeroMQ keeps order per connection, which gives MPI's
 * non-overtaking rule per sender. Messages to self go through `SelfLink`, not a socket.
 *
 * The PULL socket listens on a Unix socket for ranks of its own host and, in a job that spans
 * hosts (or with `--transport tcp`), on tcp; each peer is reached by the first that applies
 * (wireup/peer-address.ts). Between ranks of one host, payloads over SMALL_MESSAGE_BYTES travel
 * through shared-memory rings and only a notice through the socket (shared-ring.ts); `TSMPI_SHM=0`
 * turns that off. With a job key, the tcp side is CURVE-encrypted and only the job's key is
 * admitted (wireup/auth.ts); the Unix socket stays plain, guarded by its 0700 directory.
 */
import * as zmq from "zeromq";
import { curveClientOptions, curveServerOptions, type JobKey } from "../wireup/auth.ts";
import { hostIdentity } from "../wireup/host-identity.ts";
import { routeTo, type PeerAddress } from "../wireup/peer-address.ts";
import {
  doorbellFrame,
  doorbellOrigin,
  messageOrigin,
  flushControl,
  flushFrame,
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
import { flushTimeoutMs } from "../env.ts";
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
  #gone: Promise<void> | undefined;
  /** The peer has gone: what is still queued for it will never be taken, so it must not linger. */
  #peerLeft = false;

  constructor(endpoint: string, linger: number, options: zmq.SocketOptions<zmq.Push> = {}) {
    // Unlimited high-water mark: MPI's `send` must complete whatever the receiver is doing.
    this.#socket = new zmq.Push({ ...options, sendHighWaterMark: 0, linger });
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

  /**
   * Resolves when the connection to the peer drops (its process exited or closed its socket), or
   * when connecting to it is refused: every rank binds before the addresses are exchanged, so a
   * refusal means the peer has closed (a link first used after the peer left never connects, and
   * sees no drop). As seen by a ZeroMQ monitor started by the first call. Only events after the
   * first call count, so watch before asking the peer for anything. The monitor ends with the
   * socket (`close`), never before it: libzmq's I/O thread writes each event to the monitor with a
   * blocking send, and once the observer's end is closed that send never returns, freezing every
   * socket of the process. Its pending read keeps the event loop alive until then, so watch only
   * while closing.
   */
  gone(): Promise<void> {
    if (this.#gone !== undefined) return this.#gone;
    const events = this.#socket.events;
    this.#gone = new Promise<void>((resolve) => {
      void (async () => {
        try {
          while (!events.closed) {
            const event = await events.receive();
            if (event.type === "disconnect" || event.type === "connect:retry") {
              this.#peerLeft = true;
              return resolve();
            }
          }
        } catch {
          // The socket closed (this side's doing): that says nothing about the peer.
        }
      })();
    });
    return this.#gone;
  }

  async close(): Promise<void> {
    while (this.#head < this.#queue.length || this.#flushScheduled) await this.#last.catch(() => undefined);
    await this.#last.catch(() => undefined);
    if (this.#peerLeft) this.#socket.linger = 0;
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
  /** How each peer is reached; `sameHost` decides shared memory. */
  #routes: readonly ({ endpoint: string; sameHost: boolean } | undefined)[] = [];
  /** CURVE client options for tcp connections; `undefined` without a job key. */
  readonly #curveClient: zmq.SocketOptions<zmq.Push> | undefined;
  /** Where this rank's own socket listens (a wake-up connects to it). */
  readonly #ownEndpoint: string;
  #wakePending = false;
  /** Peers whose FLUSHED answer this rank awaits, while it closes. */
  readonly #flushWaiters = new Map<number, () => void>();
  /** Ranks this rank sent messages to (each gets a FLUSH from this rank's finalize). */
  readonly #sentTo = new Set<number>();
  /** Ranks that sent this rank messages (each will send a FLUSH from its own finalize). */
  readonly #sentHere = new Set<number>();
  /** Ranks whose FLUSH has arrived. */
  readonly #flushedHere = new Set<number>();
  #flushArrived: (() => void) | undefined;
  /** Senders whose connection dropped during this rank's flush (they send no FLUSH any more). */
  readonly #goneHere = new Set<number>();
  #demand = 0;
  #receiving = false;
  #awaitingReceive = false;
  #closed = false;
  #waker: zmq.Push | undefined;
  /** Called for each doorbell (same-host.ts). */
  onWakeUp: (() => void) | undefined;

  private constructor(rank: number, pull: zmq.Pull, deliver: Deliver, ringPrefix: string | undefined, own: PeerAddress, key: JobKey | undefined) {
    this.#rank = rank;
    this.#curveClient = key === undefined ? undefined : curveClientOptions(key);
    this.#ownEndpoint = own.ipc ?? own.tcp ?? "";
    this.#ringPrefix = ringPrefix;
    this.#pull = pull;
    this.#deliver = deliver;
    this.#self = new SelfLink(deliver);
  }

  /**
   * Binds this rank's receive socket: a Unix socket in `jobDir` unless `ipc` is false, and tcp on
   * `tcpAddress` when given. Returns the transport and the address to publish.
   */
  static async bind(options: {
    rank: number;
    jobDir: string;
    deliver: Deliver;
    ipc: boolean;
    tcpAddress?: string | undefined;
    /** CURVE on the tcp side (jobs across hosts). */
    key?: JobKey | undefined;
    /** Segment-name prefix for shared rings between ranks of one host; omit to turn them off. */
    ringPrefix?: string | undefined;
  }): Promise<{ transport: ZmqTransport; address: PeerAddress }> {
    const pull = new zmq.Pull({ receiveHighWaterMark: 0, linger: 0 });
    const address: PeerAddress = { host: hostIdentity() };
    if (options.ipc) {
      await pull.bind(`ipc://${options.jobDir}/rank-${options.rank}.sock`);
      address.ipc = pull.lastEndpoint ?? undefined;
    }
    if (options.tcpAddress !== undefined) {
      if (options.key !== undefined) setAfterBind(pull, curveServerOptions(options.key));
      const host = options.tcpAddress.includes(":") ? `[${options.tcpAddress}]` : options.tcpAddress;
      await pull.bind(`tcp://${host}:*`);
      address.tcp = pull.lastEndpoint ?? undefined;
    }
    const ringPrefix = options.ipc ? options.ringPrefix : undefined;
    const transport = new ZmqTransport(options.rank, pull, options.deliver, ringPrefix, address, options.key);
    return { transport, address };
  }

  get sharedMemoryPrefix(): string | undefined {
    return this.#ringPrefix;
  }

  /**
   * Peers' published addresses, indexed by world rank; no socket is opened until the first send.
   * Throws if a peer cannot be reached from here (it is on another host and bound no tcp).
   */
  setPeers(addresses: readonly PeerAddress[]): void {
    const ownHost = hostIdentity();
    this.#routes = addresses.map((address, rank) => {
      const route = routeTo(ownHost, address);
      if (route === undefined && rank !== this.#rank) throw new Error(`rank ${rank} is on another host and listens on no tcp address`);
      return route;
    });
  }

  /**
   * Whether messages to `dest` are CURVE-encrypted. Those go as one frame: with CURVE, libzmq can
   * make the first frame of a large multipart message readable before the rest has arrived, and
   * zeromq.js then fails the receive with EAGAIN after taking that first frame (the message is
   * lost). The copy this costs is small beside the encryption.
   */
  #encryptedTo(dest: number): boolean {
    return this.#curveClient !== undefined && this.#routes[dest]?.endpoint.startsWith("tcp:") === true;
  }

  sameHost(worldRank: number): boolean {
    return worldRank === this.#rank || this.#routes[worldRank]?.sameHost === true;
  }

  hasSentTo(dest: number): boolean {
    return this.#sentTo.has(dest);
  }

  send(dest: number, envelope: Envelope, payload: EncodedPayload): Promise<void> {
    if (dest === this.#rank) return this.#self.send(envelope, payload);
    const peer = this.#peer(dest);
    this.#sentTo.add(dest);
    const { bytes } = payload;
    if (bytes.length <= SMALL_MESSAGE_BYTES || this.#encryptedTo(dest)) return peer.send([singleFrame(envelope, payload, bytes, this.#rank)]);
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
    if (!this.sameHost(dest)) {
      this.#ringWriters[dest] = null;
      return undefined;
    }
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
    return (this.#peers[dest] ??= this.#link(dest, SEND_LINGER_MS));
  }

  #releaseLink(dest: number): PeerLink {
    return (this.#releaseLinks[dest] ??= this.#link(dest, 0));
  }

  #link(dest: number, linger: number): PeerLink {
    const route = this.#routes[dest];
    if (route === undefined) throw new Error(`no endpoint known for rank ${dest}`);
    return new PeerLink(route.endpoint, linger, route.endpoint.startsWith("tcp:") ? this.#curveClient : undefined);
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
        const doorbellFrom = doorbellOrigin(frames);
        if (doorbellFrom !== undefined) {
          // Like a message: its sender will FLUSH the link, and this rank must wait for that.
          this.#sentHere.add(doorbellFrom);
          this.onWakeUp?.();
          continue;
        }
        const flush = flushControl(frames);
        if (flush !== undefined) {
          if (flush.kind === "flush") {
            // On a link that does not linger: if this rank exits (or closes) before the answer is
            // out, the asker sees this rank's connection drop instead, which tells it as much (see
            // #flushPeers). A lingering answer to an asker that took the drop and left would hold
            // this process's exit for the whole linger period.
            this.#releaseLink(flush.origin).send([flushFrame("flushed", this.#rank)]).catch(() => undefined);
            this.#flushedHere.add(flush.origin);
            this.#flushArrived?.();
          } else this.#flushWaiters.get(flush.origin)?.();
          continue;
        }
        const released = releasedToken(frames);
        if (released !== undefined) {
          this.#sendBuffers.release(released);
          continue;
        }
        this.#sentHere.add(messageOrigin(frames));
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

  /**
   * Makes sure every peer this rank sent to holds those messages before the sockets close. A send
   * resolves once zeromq has queued it, and a process that exits at once (process.exit after
   * finalize) takes its queue along: zeromq.js flushes on a natural exit only. So each peer gets a
   * FLUSH after the last message (same link, so after everything) and answers FLUSHED when it
   * reads it. Meanwhile this rank keeps receiving, to answer the FLUSHes of the ranks that sent to
   * it, and waits for those too: a rank that only received must not leave before its senders know
   * they are done (MPI's finalize is collective for the same reason). The last word of this
   * exchange cannot be confirmed in turn: a rank that answers a FLUSH and exits at once may take
   * its FLUSHED along. So a peer's dropped connection counts as its answer (and as its FLUSH, for a
   * sender): a rank leaves only once it has read the FLUSH of every rank that sent to it. Bounded by
   * flushTimeoutMs() (TSMPI_FLUSH_TIMEOUT_MS) for a peer that neither answers nor leaves.
   */
  async #flushPeers(): Promise<void> {
    // Not every link: one opened only to answer a FLUSH carried no message of ours.
    const peers = [...this.#sentTo].map((rank) => ({ rank, link: this.#peer(rank) }));
    const confirmed = peers.map(({ rank, link }) => {
      const answered = new Promise<void>((resolve) => this.#flushWaiters.set(rank, resolve));
      // Watch before asking: a peer that read the FLUSH may answer and exit at once (process.exit
      // right after its finalize), taking its queued FLUSHED along; its connection then drops, and
      // since it leaves only after reading the FLUSH of every rank that sent to it, everything
      // sent before the FLUSH was read. (Without a FLUSH read it was gone anyway: waiting is moot.)
      const gone = link.gone();
      link.send([flushFrame("flush", this.#rank)]).catch(() => undefined);
      return Promise.race([answered, gone]);
    });
    const heardFromSenders = new Promise<void>((resolve) => {
      const check = (): void => {
        if ([...this.#sentHere].every((rank) => rank === this.#rank || this.#flushedHere.has(rank) || this.#goneHere.has(rank))) resolve();
      };
      this.#flushArrived = check;
      // A sender this rank also has a link to shows its exit there: it sends no FLUSH any more.
      for (const rank of this.#sentHere) {
        const link = this.#peers[rank];
        if (link === undefined || this.#flushedHere.has(rank)) continue;
        void link.gone().then(() => {
          this.#goneHere.add(rank);
          this.#flushArrived?.();
        });
      }
      check();
    });
    let timer: NodeJS.Timeout | undefined;
    // A peer that is alive answers as soon as it next receives (at the latest in its own finalize);
    // one that has exited shows as a dropped connection. This bounds the wait for one that does neither.
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, flushTimeoutMs())));
    this.want();
    try {
      await Promise.race([Promise.all([...confirmed, heardFromSenders]), late]);
    } finally {
      clearTimeout(timer);
      this.#flushWaiters.clear();
      this.#flushArrived = undefined;
      this.unwant();
    }
  }

  /**
   * Rings `dest`'s doorbell: an empty message that brings a rank sleeping on its shared-memory
   * queues back to them. On the data link, and flushed at close like a message: a rank that writes
   * its last message and exits at once would otherwise take the doorbell along, and the peer would
   * sleep on a message it has.
   */
  ring(dest: number): void {
    this.#sentTo.add(dest);
    this.#peer(dest).send([doorbellFrame(this.#rank)]).catch(() => undefined);
  }

  #wake(): void {
    // One wake-up in flight is enough, and zeromq refuses a second send while one is pending.
    if (this.#wakePending) return;
    if (this.#waker === undefined) {
      const curve = this.#ownEndpoint.startsWith("tcp:") ? this.#curveClient : undefined;
      this.#waker = new zmq.Push({ ...curve, linger: 0 });
      this.#waker.connect(this.#ownEndpoint);
    }
    this.#wakePending = true;
    this.#waker.send(Buffer.alloc(0)).then(
      () => (this.#wakePending = false),
      () => (this.#wakePending = false),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#flushPeers();
    await Promise.all([...this.#peers, ...this.#releaseLinks].map((peer) => peer?.close()));
    this.#closed = true;
    this.#waker?.close();
    this.#pull.close();
  }
}

/**
 * Sets options that apply to the socket's next bind only: libzmq copies a socket's options into
 * each listener when it binds, which is how one PULL socket serves a plain Unix socket and a CURVE
 * tcp port. zeromq.js warns about exactly this use ("will not take effect until next bind"); the
 * warning is silenced for the duration of the assignment, since here that is the intent.
 */
function setAfterBind(socket: zmq.Pull, options: Partial<zmq.SocketOptions<zmq.Pull>>): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => undefined;
  try {
    Object.assign(socket, options);
  } finally {
    process.emitWarning = emitWarning;
  }
}
