/**
 * Catches collectives called differently on different ranks (rank 0 in bcast while rank 1 is in
 * reduce, different roots, ops or data sizes) from the id and signature every collective message
 * carries: cheap, one comparison per message, and it turns what would be a hang or a wrong answer
 * into ERR_COLL_MISMATCH naming both ranks and both calls.
 * Internal to the runtime, not part of its API.
 */
import { collectiveMismatch, TsmpiError } from "../errors.ts";
import type { IncomingMessage, Matcher } from "../matching/matcher.ts";
import { CollectiveId, collectiveName, type CollectiveCallName, type CollectiveName } from "./collective-ids.ts";
import { describeDifference } from "./signature.ts";

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

export class CollectiveMonitor {
  readonly #inFlight = new Map<number, MonitoredCall>();
  readonly #matcher: Matcher;
  readonly #context: number;
  readonly #rank: number;
  /** Highest sequence number this rank has started on the communicator. */
  #started = 0;
  /** Names of recently completed calls by sequence number, for mismatch reports. */
  readonly #completed = new Map<number, string>();

  constructor(matcher: Matcher, collContext: number, rank: number) {
    this.#matcher = matcher;
    this.#context = collContext;
    this.#rank = rank;
    matcher.watch(collContext, (message) => this.#inspect(message));
  }

  begin(call: MonitoredCall): void {
    this.#inFlight.set(call.sequence, call);
    this.#started = call.sequence;
    // Messages of this call that arrived before this rank got here.
    for (const message of this.#matcher.keptWhere(this.#context, (m) => m.sequence === call.sequence)) {
      const error = this.#compare(call, message);
      if (error !== undefined) {
        call.fail(error);
        return;
      }
    }
  }

  end(call: MonitoredCall): void {
    this.#inFlight.delete(call.sequence);
    this.#completed.set(call.sequence, call.name);
    if (this.#completed.size > 64) this.#completed.delete(this.#completed.keys().next().value!);
  }

  #inspect(message: IncomingMessage): void {
    const call = this.#inFlight.get(message.sequence);
    if (call !== undefined) {
      const error = this.#compare(call, message);
      if (error !== undefined) call.fail(error);
      return;
    }
    if (message.sequence > this.#started) return; // from a rank that is ahead: checked at begin
    // Every message of a finished call was received by it, so this one belongs to a call that this
    // rank made differently, and there is no call left to fail: end the rank with the report.
    const mine = this.#completed.get(message.sequence) ?? "another collective";
    const theirs = collectiveName(message.collective);
    const error = collectiveMismatch(
      { rank: this.#rank, call: mine },
      `collective mismatch: this rank's collective call #${message.sequence} on this communicator was ${mine}, ` +
        `but rank ${message.source}'s is ${theirs}` +
        (mine === theirs ? " with a different root, op or data size" : "") +
        `; every rank must make the same collective calls in the same order`,
    );
    process.nextTick(() => {
      throw error;
    });
  }

  /**
   * Compares `call` with what another rank announced for its call of the same number (collectives
   * that meet in shared memory rather than through messages); the error, or `undefined` if alike.
   */
  compareAnnounced(call: MonitoredCall, announced: Announced): TsmpiError | undefined {
    return this.#compare(call, announced);
  }

  #compare(call: MonitoredCall, message: Announced): TsmpiError | undefined {
    const rank = this.#rank;
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
