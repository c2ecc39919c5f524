/**
 * The per-process engine: this rank's place in the job, its transport and its matcher. Everything
 * above (point-to-point calls, collectives, communicators) goes through `post`, `receive` and
 * `probe`; nothing above touches a socket.
 */
import { jobAborted, notUsable, protocolViolation } from "../errors.ts";
import { decodeFrames, PayloadFormat, type Envelope } from "../wire/header.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { Matcher, type IncomingMessage, type Pattern } from "../matching/matcher.ts";
import type { Transport } from "../transport/transport.ts";
import { ANY_SOURCE } from "../constants.ts";
import { FINALIZED_CONTEXT, PeerFinalized } from "./peer-finalized.ts";

const EMPTY_NOTICE: EncodedPayload = { format: PayloadFormat.TYPED_ARRAY, elementKind: 1, bytes: Buffer.alloc(0) };

export type EngineState = "active" | "finalized" | "aborted";

export class Engine {
  readonly worldRank: number;
  readonly worldSize: number;
  readonly matcher = new Matcher();
  #transport: Transport | undefined;
  #state: EngineState = "active";
  /** The next communicator context id this process may propose (0 and 1 are the world's). */
  nextContextId = 2;
  /** World ranks whose finalize notice has arrived (engine/peer-finalized.ts). */
  readonly #finalizedPeers = new Set<number>();
  /**
   * The world ranks behind each communicator context's sources (`group[r]` for rank r); a context
   * not listed (synchronous-send acks, createGroup's agreement) names world ranks.
   */
  readonly #contextGroups = new Map<number, readonly number[]>();
  readonly #finalizedListeners: ((worldRank: number) => void)[] = [];

  constructor(worldRank: number, worldSize: number) {
    this.worldRank = worldRank;
    this.worldSize = worldSize;
  }

  get state(): EngineState {
    return this.#state;
  }

  /** The transport is attached once wire-up has bound it; it delivers into `deliver`. */
  attach(transport: Transport): void {
    this.#transport = transport;
  }

  /** See Transport.sameHost. */
  sameHost(worldRank: number): boolean {
    return this.#transport?.sameHost(worldRank) ?? worldRank === this.worldRank;
  }

  /** See Transport.sharedMemoryPrefix. */
  get sharedMemoryPrefix(): string | undefined {
    return this.#transport?.sharedMemoryPrefix;
  }

  get #wire(): Transport {
    if (this.#transport === undefined) throw new Error("tsmpi engine used before its transport was attached");
    return this.#transport;
  }

  /** Transport callback: decode the header and let the matcher place the message. */
  readonly deliver = (frames: Buffer[]): void => {
    const message = decodeFrames(frames);
    if (message === undefined) {
      throw protocolViolation(
        { rank: this.worldRank, call: "receive" },
        `a message with an unknown header (${frames.length} frames, version ${frames[0]?.[0]}) arrived; are all ranks running the same tsmpi?`,
      );
    }
    if (message.context === FINALIZED_CONTEXT) this.#peerFinalized(message.source);
    else this.matcher.arrive(message);
  };

  /** Says whose ranks a communicator context's sources are, until `forgetContext`. */
  registerContext(context: number, group: readonly number[]): void {
    this.#contextGroups.set(context, group);
  }

  forgetContext(context: number): void {
    this.#contextGroups.delete(context);
  }

  /** World ranks that have called finalize (as far as their notices have arrived here). */
  get finalizedPeers(): ReadonlySet<number> {
    return this.#finalizedPeers;
  }

  /** Calls `listener` with each world rank whose finalize notice arrives from now on. */
  onPeerFinalized(listener: (worldRank: number) => void): void {
    this.#finalizedListeners.push(listener);
  }

  #peerFinalized(worldRank: number): void {
    this.#finalizedPeers.add(worldRank);
    this.matcher.failWaiting((context, pattern) => this.#hopeless(context, pattern));
    for (const listener of this.#finalizedListeners) listener(worldRank);
  }

  /** Why a wait for `pattern` on `context` can never be matched, if it cannot (see peer-finalized.ts). */
  #hopeless(context: number, pattern: Pattern): PeerFinalized | undefined {
    if (this.#finalizedPeers.size === 0) return undefined;
    const group = this.#contextGroups.get(context);
    if (pattern.source !== ANY_SOURCE) {
      const worldRank = group === undefined ? pattern.source : group[pattern.source];
      return worldRank !== undefined && this.#finalizedPeers.has(worldRank) ? new PeerFinalized(pattern.source, [worldRank]) : undefined;
    }
    const others = (group ?? Array.from({ length: this.worldSize }, (_, rank) => rank)).filter((rank) => rank !== this.worldRank);
    return others.length > 0 && others.every((rank) => this.#finalizedPeers.has(rank)) ? new PeerFinalized(ANY_SOURCE, others) : undefined;
  }

  /** Throws if the engine can no longer communicate. */
  assertActive(call: string, rank: number): void {
    if (this.#state === "active") return;
    throw this.#state === "aborted" ? jobAborted({ rank, call }) : notUsable({ rank, call }, "tsmpi has been finalized");
  }

  /**
   * Queues an encoded message for a world rank; the transport copies the payload before this
   * returns, so `payload` may alias the caller's data. Resolves once the transport has it.
   */
  post(worldDest: number, envelope: Envelope, payload: EncodedPayload): Promise<void> {
    return this.#wire.send(worldDest, envelope, payload);
  }

  /** The next message matching `pattern` on `context`, taken out of the matcher. */
  receive(context: number, pattern: Pattern): Promise<IncomingMessage> {
    const kept = this.matcher.take(context, pattern);
    return kept !== undefined ? Promise.resolve(kept) : this.#wait(context, pattern, this.matcher.postReceive.bind(this.matcher));
  }

  /** Waits until a message matching `pattern` is available, and leaves it there. */
  probe(context: number, pattern: Pattern): Promise<IncomingMessage> {
    const kept = this.matcher.peek(context, pattern);
    return kept !== undefined ? Promise.resolve(kept) : this.#wait(context, pattern, this.matcher.postProbe.bind(this.matcher));
  }

  /** Keeps pulling from the transport until `until` settles (a wait for something other than a posted receive). */
  pullUntil(until: Promise<unknown>): void {
    const wire = this.#wire;
    wire.want();
    const done = (): void => wire.unwant();
    until.then(done, done);
  }

  /** Posts a wait with the matcher (`post`), pulling from the transport until it ends either way. */
  #wait(
    context: number,
    pattern: Pattern,
    post: (context: number, pattern: Pattern, resolve: (message: IncomingMessage) => void, reject: (error: Error) => void) => void,
  ): Promise<IncomingMessage> {
    const hopeless = this.#hopeless(context, pattern);
    if (hopeless !== undefined) return Promise.reject(hopeless);
    const wire = this.#wire;
    wire.want();
    return new Promise((resolve, reject) =>
      post(
        context,
        pattern,
        (message) => {
          wire.unwant();
          resolve(message);
        },
        (error) => {
          wire.unwant();
          reject(error);
        },
      ),
    );
  }

  /** A matching message if one has already arrived; otherwise starts pulling what is queued. */
  iprobe(context: number, pattern: Pattern): IncomingMessage | undefined {
    const kept = this.matcher.peek(context, pattern);
    if (kept === undefined) this.#wire.poll();
    return kept;
  }

  /**
   * Pulls whatever has already arrived, without waiting: a rank that waits outside the matcher (at
   * a shared-memory meeting, coll/meeting-wait.ts) hears failure notices this way.
   */
  poll(): void {
    this.#wire.poll();
  }

  /**
   * Flushes queued sends and closes the transport; later calls fail with ERR_STATE. What has
   * already arrived is delivered first, so that the collective monitors see any message of a
   * collective this rank made differently (a mismatch no later call would reveal).
   */
  async finalize(tellOthers?: (ranks: number[]) => void): Promise<void> {
    if (this.#state !== "active") return;
    await this.#transport?.drain();
    // A mismatch found while draining is reported from a process tick: let it run, and leave the
    // sockets to the fault handler (it needs the launcher connection to report and exit).
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#state !== "active") return new Promise<never>(() => {});
    this.#announceFinalized(tellOthers);
    this.#state = "finalized";
    await this.#transport?.close();
  }

  /**
   * Tells the peers that this rank sends nothing more (peer-finalized.ts): a notice after its last
   * message to each rank it has sent anything to, on the same path, so the notice cannot overtake
   * them; the others (nothing of this rank's is on its way to them) through `tellOthers`, which
   * costs no new connection or mapping per rank as a message would.
   */
  #announceFinalized(tellOthers: ((ranks: number[]) => void) | undefined): void {
    const wire = this.#wire;
    const envelope = { context: FINALIZED_CONTEXT, source: this.worldRank, tag: 0, collective: 0, sequence: 0, signature: 0 };
    const others: number[] = [];
    for (let rank = 0; rank < this.worldSize; rank++) {
      if (rank === this.worldRank) continue;
      if (wire.hasSentTo(rank)) wire.send(rank, envelope, EMPTY_NOTICE).catch(() => undefined);
      else others.push(rank);
    }
    if (others.length > 0) tellOthers?.(others);
  }

  /** A finalize notice that came another way than through the transport (tellOthers of that rank). */
  peerFinalizedElsewhere(worldRank: number): void {
    if (worldRank !== this.worldRank && worldRank >= 0 && worldRank < this.worldSize) this.#peerFinalized(worldRank);
  }

  markAborted(): void {
    this.#state = "aborted";
  }
}
