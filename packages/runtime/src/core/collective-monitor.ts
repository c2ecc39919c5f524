/**
 * Catches collectives called differently on different ranks (rank 0 in bcast while rank 1 is in
 * reduce, different roots, ops or data kinds) from the id and signature every collective message
 * carries: cheap, one comparison per message, and it turns what would be a hang or a wrong answer
 * into ERR_COLL_MISMATCH naming both ranks and both calls.
 *
 * A call that fails on one rank fails on all: the rank whose call failed (its own bad argument, a
 * mismatch it saw, data it could not combine) sends every other rank of the communicator a failure
 * notice for that call's sequence number, and each rejects its call of that number with the
 * finder's report, whether it is in the call, reaches it later, or returned from it already (then
 * its next call reports it). Why no rank returns a wrong value instead: a rank's result depends on
 * the others' data through a chain of messages, each sent after the one before arrived; the first
 * message in that chain sent by a rank that called differently is caught on arrival, and a rank
 * whose call failed sends no more messages of it, so the chain ends in a failure notice.
 * Internal to the runtime, not part of its API.
 */
import { collectiveMismatch, failedAfterReturning, failedOnAnotherRank, TsmpiError, type TsmpiErrorCode } from "../errors.ts";
import type { Engine } from "../engine/engine.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { encodePayload, decodePayload } from "../wire/codec.ts";
import { CollectiveId, collectiveName, FAILURE_NOTICE_ID, type CollectiveCallName, type CollectiveName } from "./collective-ids.ts";
import { describeDifference } from "./signature.ts";
import { FAILURE_NOTICE_TAG } from "./collective-tag.ts";
import { LiveList, type Link } from "../util/live-list.ts";

/** What the monitor needs of a collective call in progress (coll/messages.ts makes them). */
export interface MonitoredCall {
  /** The user's call, as errors name it. */
  readonly name: CollectiveCallName;
  /** The collective it runs, as messages carry it. */
  readonly operation: CollectiveName;
  readonly sequence: number;
  readonly signature: number;
  fail(error: Error): void;
}

/** What a rank's collective call looks like to the others. */
export type Announced = Pick<IncomingMessage, "collective" | "signature" | "source" | "sequence">;

/** A failure as a notice carries it. */
interface Finding {
  rank: number;
  code: TsmpiErrorCode;
  message: string;
}

export interface MonitorShape {
  collContext: number;
  /** The communicator's point-to-point context: how reports name it. */
  p2pContext: number;
  rank: number;
  /** `group[r]` is the world rank of communicator rank `r`. */
  group: readonly number[];
}

/** Sequence numbers remembered for reports and for dropping late messages of failed calls. */
const REMEMBERED = 64;

/** Every communicator's monitor that holds a failure it has not reported yet, for the state report. */
const holdingFailures = new Set<CollectiveMonitor>();

/** A failure of a call that had returned here, held for the communicator's next call. */
export interface HeldFailure {
  /** The communicator's point-to-point context id (0: the world) and size. */
  context: number;
  size: number;
  sequence: number;
  call: string;
  /** The communicator rank that found the fault, and its world rank; `self` when it was this rank. */
  finder: { rank: number; worldRank: number; self: boolean };
  code: TsmpiErrorCode;
  message: string;
}

/**
 * Calls that failed elsewhere after they had returned here, for the state report (tsmpirun
 * --timeout, SIGUSR1): a call in flight on that communicator goes on, and may wait for ranks that
 * will never make it, so a hang there is explained by the failure before it.
 */
export function failuresHeldForNextCall(): HeldFailure[] {
  return [...holdingFailures].map((monitor) => monitor.heldFailure()).filter((held) => held !== undefined);
}

export class CollectiveMonitor {
  /** Calls begun and not yet ended here (a list, not a Map: see util/live-list.ts). */
  readonly #inFlight = new LiveList<MonitoredCall>();
  readonly #engine: Engine;
  readonly #shape: MonitorShape;
  /** Highest sequence number this rank has started on the communicator. */
  #started = 0;
  /**
   * Names of the last REMEMBERED completed calls, for mismatch reports: call `s` at `s %
   * REMEMBERED` (a ring, not a Map that adds and deletes an entry at every call).
   */
  readonly #completedNames: (string | undefined)[] = new Array<string | undefined>(REMEMBERED).fill(undefined);
  readonly #completedSequences: number[] = new Array<number>(REMEMBERED).fill(-1);
  /** Calls that failed here: their late messages are dropped, their notices already sent. */
  readonly #failed = new Set<number>();
  /** Notices for calls this rank has not reached yet. */
  readonly #ahead = new Map<number, Finding>();
  /** A failure of a call that had returned here, for the next call to report. */
  #afterReturning: { sequence: number; call: string; finding: Finding } | undefined;
  /** Errors that came from another rank's notice: not announced again. */
  readonly #fromNotices = new WeakSet<Error>();
  #anyFailure = false;

  constructor(engine: Engine, shape: MonitorShape) {
    this.#engine = engine;
    this.#shape = shape;
    engine.matcher.watch(shape.collContext, (message) => this.#inspect(message));
  }

  /**
   * Whether a call on this communicator has failed: shared-memory meetings are then no longer used,
   * since a failed meeting leaves its counters in an unknown state.
   */
  get hadFailure(): boolean {
    return this.#anyFailure;
  }

  /** The failure of a call that returned here, if one is to be reported (once) before the next call. */
  takeFailureAfterReturning(call: string): TsmpiError | undefined {
    const pending = this.#afterReturning;
    if (pending === undefined) return undefined;
    this.#afterReturning = undefined;
    holdingFailures.delete(this);
    return failedAfterReturning({ rank: this.#shape.rank, call }, pending.sequence, pending.call, pending.finding);
  }

  /** A call begins here; pass the result to `end`. */
  begin(call: MonitoredCall): Link<MonitoredCall> {
    const inFlight = this.#inFlight.add(call);
    this.#started = call.sequence;
    const notice = this.#ahead.get(call.sequence);
    if (notice !== undefined) {
      this.#ahead.delete(call.sequence);
      call.fail(this.#fromNotice(call, notice));
      return inFlight;
    }
    // Messages of this call that arrived before this rank got here.
    for (const message of this.#engine.matcher.keptWhere(this.#shape.collContext, (m) => m.sequence === call.sequence)) {
      const error = this.#compare(call, message);
      if (error !== undefined) {
        call.fail(error);
        return inFlight;
      }
    }
    return inFlight;
  }

  end(call: MonitoredCall, inFlight: Link<MonitoredCall>): void {
    this.#inFlight.remove(inFlight);
    const slot = call.sequence % REMEMBERED;
    this.#completedSequences[slot] = call.sequence;
    this.#completedNames[slot] = call.name;
  }

  #completedName(sequence: number): string | undefined {
    const slot = sequence % REMEMBERED;
    return this.#completedSequences[slot] === sequence ? this.#completedNames[slot] : undefined;
  }

  #callInFlight(sequence: number): MonitoredCall | undefined {
    return this.#inFlight.find((call) => call.sequence === sequence);
  }

  /**
   * Call `sequence` failed on this rank with `error`: unless the error came from another rank's
   * notice, tell every other rank, and drop the call's messages from now on. Also for a call that
   * failed before it started (a bad argument), so that the numbering stays in step.
   */
  failed(sequence: number, error: unknown): void {
    this.#anyFailure = true;
    if (this.#failed.has(sequence)) return;
    this.#remember(sequence);
    this.#ahead.delete(sequence);
    this.#engine.matcher.discardWhere(this.#shape.collContext, (m) => m.sequence === sequence);
    if (error instanceof Error && this.#fromNotices.has(error)) return;
    this.#announce(sequence, {
      rank: this.#shape.rank,
      code: error instanceof TsmpiError ? error.code : "ERR_TASK",
      message: error instanceof Error ? error.message : String(error),
    });
  }

  #remember(sequence: number): void {
    this.#failed.add(sequence);
    if (this.#failed.size > REMEMBERED) this.#failed.delete(this.#failed.values().next().value!);
  }

  #announce(sequence: number, finding: Finding): void {
    const { group, rank, collContext } = this.#shape;
    const payload = encodePayload(finding);
    const envelope = { context: collContext, source: rank, tag: FAILURE_NOTICE_TAG, collective: FAILURE_NOTICE_ID, sequence, signature: 0 };
    for (let r = 0; r < group.length; r++) {
      // A rank that cannot be told has ended, and the launcher ends the job for that.
      if (r !== rank) this.#engine.post(group[r]!, envelope, payload).catch(() => undefined);
    }
  }

  #inspect(message: IncomingMessage): boolean {
    if (message.collective === FAILURE_NOTICE_ID) {
      this.#onNotice(message);
      return true;
    }
    if (this.#failed.has(message.sequence)) return true;
    const call = this.#callInFlight(message.sequence);
    if (call !== undefined) {
      const error = this.#compare(call, message);
      if (error !== undefined) call.fail(error);
      return false;
    }
    if (message.sequence > this.#started) return false; // from a rank that is ahead: checked at begin
    // Every message of a finished call was received by it, so this one belongs to a call that this
    // rank made differently and has returned from: the sender waits for an answer that will not come.
    const mine = this.#completedName(message.sequence) ?? "another collective";
    const theirs = collectiveName(message.collective);
    const error = collectiveMismatch(
      { rank: this.#shape.rank, call: mine },
      `collective mismatch: this rank's collective call #${message.sequence} on this communicator was ${mine}, ` +
        `but rank ${message.source}'s is ${theirs}` +
        (mine === theirs ? " with a different root, op or data size" : "") +
        `; every rank must make the same collective calls in the same order`,
    );
    this.failed(message.sequence, error);
    this.#failAfterReturning(message.sequence, mine, { rank: this.#shape.rank, code: error.code, message: error.message });
    return true;
  }

  #onNotice(message: IncomingMessage): void {
    const finding = decodePayload(message.format, message.elementKind, message.payload) as Finding;
    const { sequence } = message;
    this.#anyFailure = true;
    if (this.#failed.has(sequence)) return;
    const call = this.#callInFlight(sequence);
    if (call !== undefined) {
      call.fail(this.#fromNotice(call, finding));
    } else if (sequence > this.#started) {
      if (!this.#ahead.has(sequence)) this.#ahead.set(sequence, finding);
    } else {
      this.#remember(sequence);
      this.#failAfterReturning(sequence, this.#completedName(sequence) ?? "a collective", finding);
    }
  }

  /**
   * Call `sequence` had returned here when it failed elsewhere: the next call reports it (once), as
   * a failure of its own that reaches the others, so that every rank hears of it and the numbering
   * stays in step. Calls already in flight go on: they may have met the others' calls of their
   * number.
   */
  #failAfterReturning(sequence: number, call: string, finding: Finding): void {
    this.#afterReturning ??= { sequence, call, finding };
    holdingFailures.add(this);
  }

  /** The communicator is freed: nothing it held is reported any more. */
  close(): void {
    holdingFailures.delete(this);
  }

  /** The failure held for the next call, if any (see failuresHeldForNextCall). */
  heldFailure(): HeldFailure | undefined {
    const held = this.#afterReturning;
    if (held === undefined) return undefined;
    const { p2pContext, group, rank } = this.#shape;
    const { finding } = held;
    return {
      context: p2pContext,
      size: group.length,
      sequence: held.sequence,
      call: held.call,
      finder: { rank: finding.rank, worldRank: group[finding.rank]!, self: finding.rank === rank },
      code: finding.code,
      message: finding.message,
    };
  }

  #fromNotice(call: MonitoredCall, finding: Finding): TsmpiError {
    const error = failedOnAnotherRank({ rank: this.#shape.rank, call: call.name }, call.sequence, finding);
    this.#fromNotices.add(error);
    return error;
  }

  /**
   * Compares `call` with what another rank announced for its call of the same number (collectives
   * that meet in shared memory rather than through messages); the error, or `undefined` if alike.
   */
  compareAnnounced(call: MonitoredCall, announced: Announced): TsmpiError | undefined {
    return this.#compare(call, announced);
  }

  #compare(call: MonitoredCall, message: Announced): TsmpiError | undefined {
    const { rank } = this.#shape;
    if (message.collective !== CollectiveId[call.operation]) {
      return collectiveMismatch(
        { rank, call: call.name },
        `collective mismatch: this rank's collective call #${call.sequence} on this communicator is ${call.name}, ` +
          `but rank ${message.source}'s is ${collectiveName(message.collective)}; every rank must make the same collective calls in the same order`,
      );
    }
    if (message.signature !== call.signature) {
      return collectiveMismatch(
        { rank, call: call.name },
        `collective mismatch in ${call.name} (call #${call.sequence}): ${describeDifference(call.signature, message.signature, message.source)}`,
      );
    }
    return undefined;
  }
}
