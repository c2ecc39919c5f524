/**
 * Messages between ranks of one host through shared memory, the socket transport beneath for
 * everything else (Open MPI's btl/vader beside btl/tcp). A message of up to a queue's frame limit
 * is written into the receiver's inbox (transport/inbox.ts, shared-queue.ts) and never touches a
 * socket or a ZeroMQ thread: a receiver that is polling sees it within a microsecond. A larger one
 * leaves a marker in the queue and goes through the socket (and its shared ring), and the receiver
 * holds socket messages from that sender until it reaches their markers, so messages from one
 * sender arrive in the order they were sent, whatever path each took.
 *
 * Waiting: a rank with a receive to satisfy looks at its queues, polls them for the budget of
 * transport/progress-policy.ts (when the host's ranks fit its cores), or else sleeps in the futex
 * for its block budget (when they outnumber them; a sender wakes it there), then says it is
 * sleeping in its inbox and returns to the event loop, where the socket transport waits. A sender
 * that finds the word set clears it and rings a doorbell (a 4-byte message on the socket), which
 * brings the receiver back to its queues. So an idle rank uses no CPU, the event loop keeps running (timers,
 * output, the launcher, traffic from other hosts) except for one polling budget at a time, and a
 * receiver dead or alive is seen by the launcher as before.
 *
 * A full queue keeps later messages in the sender's memory, in order (a send never waits for the
 * receiver, as MPI's eager sends and ZeroMQ's unlimited high-water mark). The sender asks for room
 * in the queue, and the receiver, once it has taken something, wakes it as it would for a message;
 * a waiting sender also writes while it polls, and a timer retries each millisecond for one busy
 * elsewhere. finalize waits, bounded, for them to be written, unless the receiver has closed.
 * Internal to the runtime, not part of its API.
 */
import { flushTimeoutMs } from "../env.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { HEADER_BYTES, messageOrigin, writeHeader, type Envelope } from "../wire/header.ts";
import { loadedShmModule } from "../shm/segment.ts";
import { ASLEEP_IN_FUTEX, ASLEEP_ON_SOCKET, AWAKE, OwnInbox, PeerInbox } from "./inbox.ts";
import { futex, type Futex } from "./futex.ts";
import { blockBudgetUs, spinBudgetUs } from "./progress-policy.ts";
import { QueueConsumer, SOCKET_MARKER } from "./shared-queue.ts";
import { SelfLink } from "./self.ts";
import type { Deliver, Transport } from "./transport.ts";
import type { ZmqTransport } from "./zmq.ts";

/** A message waiting in the sender for room in the queue: its frame, or the marker. */
type Pending = Buffer | typeof SOCKET_MARKER;

const RETRY_MS = 1;
/** The longest run of waits answered without a turn of the event loop. */
const LOOP_TURN_MS = 1;
const RESOLVED = Promise.resolve();

/** What a receiver knows of one sender of its host. */
interface Sender {
  rank: number;
  queue: QueueConsumer;
  /** Markers reached whose socket message has not arrived yet: the queue waits for it. */
  markersOwed: number;
  /** Socket messages that arrived before their markers were reached. */
  early: Buffer[][];
}

export class SameHostTransport implements Transport {
  readonly #rank: number;
  readonly #socket: ZmqTransport;
  /** `undefined` if this rank could not make one: then it only sends through shared memory. */
  readonly #inbox: OwnInbox | undefined;
  readonly #prefix: string;
  readonly #deliver: Deliver;
  /** Straight to the engine: a self message must not wait behind markers (it has no origin of its own). */
  readonly #self: SelfLink;
  readonly #senders: Sender[];
  /** The other ranks of this host. */
  readonly #localPeers: readonly number[];
  readonly #sendersByRank = new Map<number, Sender>();
  /** Peers' inboxes, mapped on the first message; `null`: it has none, use the socket. */
  readonly #peers: (PeerInbox | null | undefined)[] = [];
  readonly #pending = new Map<number, Pending[]>();
  #retry: NodeJS.Timeout | undefined;
  readonly #spinUs: number;
  /** How long a wait may block in the futex; 0 when it should not, or the addon is missing. */
  #blockUs: number;
  /** Loaded when first needed (a wait that may block, a peer asleep in it): `null` until then. */
  #futex: Futex | undefined | null = null;
  #demand = 0;
  /** Whether this transport holds a `want` of the socket transport (while it sleeps). */
  #socketWanted = false;
  #progressQueued = false;
  /** When the event loop last ran this transport's progress (see want). */
  #lastLoopTurn = performance.now();
  /** Markers reached, over all senders, whose socket messages have not come yet. */
  #markersOwed = 0;
  #closed = false;

  constructor(options: {
    rank: number;
    socket: ZmqTransport;
    inbox: OwnInbox | undefined;
    prefix: string;
    deliver: Deliver;
    localRanks: readonly number[];
    worldSize: number;
  }) {
    this.#rank = options.rank;
    this.#socket = options.socket;
    this.#inbox = options.inbox;
    this.#prefix = options.prefix;
    this.#deliver = options.deliver;
    this.#self = new SelfLink(options.deliver);
    this.#localPeers = options.localRanks.filter((rank) => rank !== options.rank);
    const inbox = options.inbox;
    this.#senders =
      inbox === undefined
        ? []
        : this.#localPeers.map((rank) => ({ rank, queue: inbox.consumer(rank), markersOwed: 0, early: [] }));
    for (const sender of this.#senders) this.#sendersByRank.set(sender.rank, sender);
    // Alone on its host: nobody will map the inbox, whose name would otherwise stay until close.
    if (this.#localPeers.length === 0) inbox?.removeName();
    this.#spinUs = spinBudgetUs(options.localRanks.length);
    this.#blockUs = blockBudgetUs(options.localRanks.length, options.worldSize);
  }

  /**
   * Maps every peer's inbox now instead of on the first message to it, so that the host's inbox
   * names go while init ends (the last rank of the host to map one removes it): for jobs whose
   * names no launcher would remove after a SIGKILL.
   */
  mapPeersNow(): void {
    for (const rank of this.#localPeers) this.#peer(rank);
  }

  /** The futex addon, loaded on first use: a program whose ranks never sleep in it never loads it. */
  readonly #loadedFutex = (): Futex | undefined => {
    if (this.#futex === null) this.#futex = futex();
    return this.#futex;
  };

  get sharedMemoryPrefix(): string | undefined {
    return this.#socket.sharedMemoryPrefix;
  }

  sameHost(worldRank: number): boolean {
    return this.#socket.sameHost(worldRank);
  }

  hasSentTo(dest: number): boolean {
    // A peer's inbox is mapped on the first message to it.
    return (this.#peers[dest] ?? null) !== null || this.#socket.hasSentTo(dest);
  }

  send(dest: number, envelope: Envelope, payload: EncodedPayload): Promise<void> {
    if (dest === this.#rank) return this.#self.send(envelope, payload);
    const peer = this.#peer(dest);
    if (peer === null) return this.#socket.send(dest, envelope, payload);
    const { bytes } = payload;
    const length = HEADER_BYTES + bytes.length;
    if (length > peer.producer.maxFrameBytes) {
      this.#enqueueMarker(dest, peer);
      return this.#socket.send(dest, envelope, payload);
    }
    const queued = this.#pending.get(dest);
    if (queued === undefined) {
      const written = peer.producer.write(length, (target) => {
        writeHeader(target, envelope, payload, 0, this.#rank);
        target.set(bytes, HEADER_BYTES);
      });
      if (written) {
        this.#tell(dest, peer);
        return Promise.resolve();
      }
    }
    const frame = Buffer.allocUnsafeSlow(length);
    writeHeader(frame, envelope, payload, 0, this.#rank);
    frame.set(bytes, HEADER_BYTES);
    this.#hold(dest, frame);
    return Promise.resolve();
  }

  /** The inbox of `dest` if messages to it go through shared memory, else `null`. */
  #peer(dest: number): PeerInbox | null {
    const known = this.#peers[dest];
    if (known !== undefined) return known;
    const shm = loadedShmModule();
    let peer: PeerInbox | undefined;
    if (shm !== undefined && this.#socket.sameHost(dest)) {
      try {
        const otherSenders = this.#localPeers.filter((rank) => rank !== dest);
        peer = PeerInbox.attach(shm, this.#prefix, dest, this.#rank, otherSenders);
      } catch {
        peer = undefined;
      }
    }
    this.#peers[dest] = peer ?? null;
    return peer ?? null;
  }

  /** Wakes `dest` for what was just written into its queue, if it sleeps. */
  #tell(dest: number, peer: PeerInbox): void {
    if (peer.takeDoorbell(this.#loadedFutex) === ASLEEP_ON_SOCKET) this.#socket.ring(dest);
  }

  /** Writes a marker for a message about to go through the socket, or holds it behind earlier ones. */
  #enqueueMarker(dest: number, peer: PeerInbox): void {
    if (this.#pending.has(dest) || !peer.producer.write(0, () => undefined)) this.#hold(dest, SOCKET_MARKER);
    else peer.takeDoorbell(this.#loadedFutex, true);
  }

  #hold(dest: number, item: Pending): void {
    let queued = this.#pending.get(dest);
    if (queued === undefined) {
      this.#pending.set(dest, (queued = []));
      // The receiver wakes this rank when it has taken something, if this rank then waits; the
      // timer covers a rank busy elsewhere, and a request made just after the receiver looked.
      this.#peers[dest]!.producer.askForRoom();
    }
    queued.push(item);
    this.#retry ??= setTimeout(this.#retryPending, RETRY_MS);
  }

  readonly #retryPending = (): void => {
    this.#retry = undefined;
    if (!this.#writePending() && !this.#closed) this.#retry = setTimeout(this.#retryPending, RETRY_MS);
  };

  /** Writes held messages while their queues have room; true once none is held. */
  #writePending(): boolean {
    for (const [dest, queued] of this.#pending) {
      const peer = this.#peers[dest]!;
      // A receiver that has closed takes nothing more (the program did not receive these).
      if (peer.closed) {
        this.#pending.delete(dest);
        continue;
      }
      let written = 0;
      while (written < queued.length) {
        const item = queued[written]!;
        const ok = item === SOCKET_MARKER ? peer.producer.write(0, () => undefined) : peer.producer.write(item.length, (target) => target.set(item));
        if (!ok) break;
        written++;
      }
      if (written > 0) this.#tell(dest, peer);
      if (written === queued.length) this.#pending.delete(dest);
      else {
        queued.splice(0, written);
        peer.producer.askForRoom();
      }
    }
    return this.#pending.size === 0;
  }

  /** The socket transport's deliver: holds a same-host sender's message until its marker is reached. */
  readonly fromSocket = (frames: Buffer[]): void => {
    const sender = frames.length > 0 ? this.#sendersByRank.get(messageOrigin(frames)) : undefined;
    if (sender === undefined || !sender.queue.attached) return this.#deliver(frames);
    if (sender.markersOwed === 0) {
      sender.early.push(frames);
      // Its marker went into the queue before this was sent, so it is most likely there already.
      this.#drainSender(sender);
      return;
    }
    sender.markersOwed--;
    this.#markersOwed--;
    this.#deliver(frames);
    this.#drainSender(sender);
  };

  /** Delivers everything the queues hold; the number of messages delivered. */
  #drainQueues(): number {
    let delivered = 0;
    for (const sender of this.#senders) delivered += this.#drainSender(sender);
    return delivered;
  }

  #drainSender(sender: Sender): number {
    let delivered = this.#takeFrom(sender);
    if (delivered > 0 && sender.queue.takeRoomRequest()) {
      const peer = this.#peer(sender.rank);
      if (peer !== null) this.#tell(sender.rank, peer);
    }
    return delivered;
  }

  #takeFrom(sender: Sender): number {
    let delivered = 0;
    while (sender.markersOwed === 0) {
      const frame = sender.queue.take();
      if (frame === undefined) break;
      if (frame !== SOCKET_MARKER) this.#deliver([frame]);
      else if (sender.early.length > 0) this.#deliver(sender.early.shift()!);
      else {
        sender.markersOwed++;
        this.#markersOwed++;
      }
      delivered++;
    }
    return delivered;
  }

  want(): void {
    this.#demand++;
    if (!this.#progressQueued) {
      // After the caller has posted its receive (Engine.receive asks first). Every new wait polls
      // anew, even while an older one sleeps: the new one's message may be on its way now.
      this.#progressQueued = true;
      // Waits that the queues answer at once never return to the event loop (the program's next
      // call comes in a promise turn): timers, output and the launcher would starve. So the event
      // loop gets a turn before the next poll once LOOP_TURN_MS have gone without one.
      if (performance.now() - this.#lastLoopTurn < LOOP_TURN_MS) {
        // A bare promise turn: queueMicrotask runs its callback in an async scope, which costs more.
        void RESOLVED.then(this.#progress);
      } else {
        setImmediate(this.#progressAfterLoopTurn);
      }
    }
  }

  readonly #progressAfterLoopTurn = (): void => {
    this.#lastLoopTurn = performance.now();
    this.#progress();
  };

  unwant(): void {
    this.#demand--;
    if (this.#demand > 0) return;
    if (this.#inbox !== undefined) this.#inbox.state = AWAKE;
    if (this.#socketWanted) {
      this.#socketWanted = false;
      this.#socket.unwant();
    }
  }

  readonly #progress = (): void => {
    this.#progressQueued = false;
    this.#pollThenSleep();
  };

  /** Polls the queues while somebody waits, for the budget, then sleeps (see the module comment). */
  #pollThenSleep(): void {
    if (this.#demand === 0 || this.#closed) return;
    // A rank that waits is often one whose sends wait for room (then it was woken for that).
    if (this.#pending.size > 0) this.#writePending();
    if (this.#inbox === undefined) return this.#waitOnSocket();
    this.#drainQueues();
    if (this.#demand === 0) return;
    // While a large message is on its way through the socket, polling would hold up the event
    // loop that brings it (and what comes after it from that sender waits for it).
    if (this.#spinUs > 0 && this.#markersOwed === 0) {
      const deadline = performance.now() + this.#spinUs / 1000;
      // Reading the clock costs more than a look at the queues: look a few times per reading.
      for (let looks = 1; ; looks++) {
        if (this.#drainQueues() > 0 && (this.#demand === 0 || this.#markersOwed > 0)) break;
        if ((looks & 15) === 0) {
          if (this.#pending.size > 0) this.#writePending();
          if (performance.now() >= deadline) break;
        }
      }
      if (this.#demand === 0) return;
    }
    if (this.#blockUs > 0 && this.#markersOwed === 0) {
      const futex = this.#loadedFutex();
      if (futex === undefined) this.#blockUs = 0;
      else {
        this.#sleepInFutex(this.#inbox, futex);
        if (this.#demand === 0) return;
      }
    }
    this.#inbox.noticeNameRemoved();
    this.#inbox.state = ASLEEP_ON_SOCKET;
    // A message written before the word was set rang no doorbell.
    this.#drainQueues();
    if (this.#demand > 0) this.#waitOnSocket();
  }

  /**
   * Sleeps in the futex, for the block budget at most, until a message comes (a sender wakes this
   * rank directly) or nobody waits any more. The event loop stands still meanwhile, so the budget
   * is short; the socket takes over after it.
   */
  #sleepInFutex(inbox: OwnInbox, futex: Futex): void {
    const deadline = performance.now() + this.#blockUs / 1000;
    for (;;) {
      inbox.state = ASLEEP_IN_FUTEX;
      // A message written before the word was set woke nobody.
      if (this.#drainQueues() > 0 && (this.#demand === 0 || this.#markersOwed > 0)) return;
      const leftUs = (deadline - performance.now()) * 1000;
      if (leftUs <= 0) return;
      inbox.sleepInFutex(futex, leftUs);
      if (this.#drainQueues() > 0 && (this.#demand === 0 || this.#markersOwed > 0)) return;
    }
  }

  /** Leaves the wait to the socket transport, which also hears the doorbells. */
  #waitOnSocket(): void {
    if (this.#socketWanted) return;
    this.#socketWanted = true;
    this.#socket.want();
  }

  /** A doorbell (or any wake-up) came through the socket: in an event loop turn. */
  readonly onWakeUp = (): void => {
    this.#lastLoopTurn = performance.now();
    this.#pollThenSleep();
  };

  poll(): void {
    this.#drainQueues();
    this.#socket.poll();
  }

  async drain(): Promise<void> {
    this.#drainQueues();
    await this.#socket.drain();
    this.#drainQueues();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Keep emptying this rank's queues meanwhile: a sender may wait for room to write its last
    // messages before it sends the FLUSH that this rank's socket transport waits for.
    const emptying = setInterval(() => this.#drainQueues(), RETRY_MS);
    try {
      await this.#writeHeld();
      this.#closed = true;
      await this.#socket.close();
    } finally {
      clearInterval(emptying);
      this.#inbox?.close();
    }
  }

  /**
   * Writes what is held, as the receivers make room; gives up on a receiver that has closed (it
   * will receive nothing more: #writePending) and, bounded by the flush timeout, on the rest.
   */
  async #writeHeld(): Promise<void> {
    const deadline = Date.now() + flushTimeoutMs();
    clearTimeout(this.#retry);
    while (!this.#writePending() && Date.now() < deadline) {
      clearTimeout(this.#retry);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }
}
