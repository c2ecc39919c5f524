/**
 * The per-rank counts of the vector collectives (gatherv, scatterv, allgatherv, alltoallv,
 * reduceScatter with counts): checked on the rank that passes them, made into where each rank's
 * block starts, and digested, so that a block message can say which counts its sender holds and a
 * rank whose counts differ from its partners' fails with ERR_COLL_MISMATCH instead of placing
 * elements where the others do not.
 * Internal to the runtime, not part of its API.
 */
import { badArgument, badCount, type CallSite } from "../errors.ts";
import { isTypedArray, typedArrayKind, type AnyTypedArray } from "../wire/typed-array.ts";

/** `n element(s)`, for messages. */
export function elements(n: number): string {
  return `${n} element${n === 1 ? "" : "s"}`;
}

/** Where each rank's block starts, plus the total at the end: `starts[i + 1] - starts[i]` is rank i's count. */
export type BlockStarts = readonly number[];

/**
 * `counts` as block starts: one non-negative integer per rank (ERR_COUNT otherwise; not an array
 * at all is ERR_ARG). `where` says on which ranks the call reads it, for the message.
 */
export function checkCounts(site: CallSite, argument: string, counts: unknown, size: number, where = ""): BlockStarts {
  if (!Array.isArray(counts)) throw badArgument(site, argument, counts, `an array of ${size} counts, one per rank${where}`);
  if (counts.length !== size) {
    throw badCount(site, argument, `${argument} has ${counts.length} entries but the communicator has ${size} rank${size === 1 ? "" : "s"}: one count per rank`, counts);
  }
  const starts = new Array<number>(size + 1);
  starts[0] = 0;
  for (let i = 0; i < size; i++) {
    const count: unknown = counts[i];
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
      throw badCount(site, argument, `${argument}[${i}] is ${typeof count === "number" ? count : typeof count}: a count must be a non-negative integer`, counts);
    }
    starts[i + 1] = starts[i]! + count;
  }
  return starts;
}

/** The vector collectives move typed arrays only: their counts are elements. */
export function checkTypedArray(site: CallSite, argument: string, data: unknown): asserts data is AnyTypedArray {
  // A kind the wire has no code for (a typed-array class newer than this runtime) cannot travel either.
  if (!isTypedArray(data) || typedArrayKind(data) < 0) throw badArgument(site, argument, data, "a typed array (Float64Array, Int32Array, BigInt64Array, ...)");
}

/** ERR_COUNT unless `data` has exactly `expected` elements (`what` names where that number comes from). */
export function checkLength(site: CallSite, argument: string, data: ArrayLike<unknown>, expected: number, what: string): void {
  if (data.length !== expected) {
    throw badCount(site, argument, `${argument} has ${elements(data.length)} but ${what} is ${expected}: a buffer must hold exactly what its counts say`);
  }
}

/**
 * FNV-1a over the counts, never 0 (0 stands for "this sender holds no counts"): equal counts give
 * equal digests on every rank and version; different counts collide once in 2^32.
 */
export function countsDigest(starts: BlockStarts): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i + 1 < starts.length; i++) {
    const count = starts[i + 1]! - starts[i]!;
    for (const word of [count >>> 0, Math.floor(count / 0x1_0000_0000)]) {
      for (let shift = 0; shift < 32; shift += 8) hash = Math.imul(hash ^ ((word >>> shift) & 0xff), 0x01000193);
    }
  }
  return hash >>> 0 || 1;
}
