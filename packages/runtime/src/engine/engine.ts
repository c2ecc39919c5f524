/**
 * The per-process engine: this rank's place in the job, its transport and its matcher. Everything
 * above (point-to-point calls, collectives, communicators) goes through `post`, `receive` and
 * `probe`; nothing above touches a socket.
 */
import { jobAborted, notUsable, protocolViolation } from "../errors.ts";
import { decodeFrames, type Envelope } from "../wire/header.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { Matcher, type IncomingMessage, type Pattern } from "../matching/matcher.ts";
import type { Transport } from "../transport/transport.ts";

export type EngineState = "active" | "finalized" | "aborted";

export class Engine {
  readonly worldRank: number;
  readonly worldSize: number;
  readonly matcher = new Matcher();
  #transport: Transport | undefined;
  #state: EngineState = "active";
  /** The next communicator context id this process may propose (0 and 1 are the world's). */
  nextContextId = 2;

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
    this.matcher.arrive(message);
  };

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
    if (kept !== undefined) return Promise.resolve(kept);
    const wire = this.#wire;
    wire.want();
    return new Promise((resolve) =>
      this.matcher.postReceive(context, pattern, (message) => {
        wire.unwant();
        resolve(message);
      }),
    );
  }

  /** Waits until a message matching `pattern` is available, and leaves it there. */
  probe(context: number, pattern: Pattern): Promise<IncomingMessage> {
    const kept = this.matcher.peek(context, pattern);
    if (kept !== undefined) return Promise.resolve(kept);
    const wire = this.#wire;
    wire.want();
    return new Promise((resolve) =>
      this.matcher.postProbe(context, pattern, (message) => {
        wire.unwant();
        resolve(message);
      }),
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
  async finalize(): Promise<void> {
    if (this.#state !== "active") return;
    await this.#transport?.drain();
    // A mismatch found while draining is reported from a process tick: let it run, and leave the
    // sockets to the fault handler (it needs the launcher connection to report and exit).
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#state !== "active") return new Promise<never>(() => {});
    this.#state = "finalized";
    await this.#transport?.close();
  }

  markAborted(): void {
    this.#state = "aborted";
  }
}
