/**
 * A rank that calls finalize sends nothing more, so a receive that only it could satisfy never
 * completes: today's program hangs there (a rank that skipped a barrier and finalized; a bcast
 * root that returned early and went on to a call the others, who failed, never make). MPI leaves
 * such a program erroneous; Open MPI and MPICH hang. tsmpi fails the wait instead, on the rank that
 * waits, naming the rank it waits for.
 *
 * How a rank knows: as it finalizes, after its last message, it sends each peer a notice on a
 * context no communicator has (engine.ts). Messages from one rank to another arrive in the order
 * they were sent, whatever path each takes, so by the time the notice arrives every message the
 * finalized rank sent here has arrived too: a receive that nothing matched by then never will be.
 * Internal to the runtime, not part of its API.
 */
import { ANY_SOURCE } from "../constants.ts";
import { TsmpiError, type CallSite } from "../errors.ts";

/** The context of the notice (negative: no communicator's; sync-send.ts's acks use -16). */
export const FINALIZED_CONTEXT = -17;

/**
 * How long a collective whose wait a finalized rank left unanswerable waits before it reports
 * that: a rank that finalized in the middle of a collective usually did so after the call failed
 * elsewhere, and the finder's notice, which names the real fault, comes by another path and may
 * come just after.
 */
export const FINDER_GRACE_MS = 200;

/** Why a wait cannot complete: the ranks (of the wait's communicator) it could hear from have finalized. */
export class PeerFinalized extends Error {
  /** The source the wait names: a communicator rank, or ANY_SOURCE. */
  readonly source: number;
  /** The world ranks behind it that have finalized. */
  readonly worldRanks: readonly number[];

  constructor(source: number, worldRanks: readonly number[]) {
    super(`waiting for ${describeWait(source, worldRanks)}`);
    this.source = source;
    this.worldRanks = worldRanks;
  }
}

function describeWait(source: number, worldRanks: readonly number[]): string {
  const who =
    source !== ANY_SOURCE
      ? `rank ${source}${worldRanks[0] === source ? "" : ` (world rank ${worldRanks[0]})`}, which has`
      : `any rank, but every other rank of the communicator has`;
  return `a message from ${who} called finalize() and sends nothing more, so this call can never complete`;
}

/**
 * The error a call reports for a wait that failed this way (ERR_PEER_FINALIZED, naming the call
 * and the rank it waited for); any other error unchanged.
 */
export function asCallError(error: unknown, site: CallSite): unknown {
  if (!(error instanceof PeerFinalized)) return error;
  return new TsmpiError(
    "ERR_PEER_FINALIZED",
    site,
    `${error.message}; every rank must make the calls the others wait for before it finalizes`,
  );
}
