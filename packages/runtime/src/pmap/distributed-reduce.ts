/**
 * `distributedReduce`: Distributed.jl's `@distributed (op) for i in range ... end`. The range is
 * split statically into contiguous blocks (block-range.ts: the first ranks get one more index),
 * each rank folds `fn(i)` over its block in index order, and the partial results are combined with
 * `comm.allreduce(partial, op)`. Blocks are contiguous and in rank order, and allreduce applies a
 * non-commutative op in rank order, so the whole fold is `op(...op(op(fn(i0), fn(i1)), fn(i2))...)`
 * in index order.
 *
 * Empty blocks: a rank with no index has no partial result, and no neutral element exists for a
 * user op (nor, for built-ins, one of the right shape: a SUM of Float64Array(3) needs zeros of
 * length 3, which a rank without data cannot know). Empty blocks only occur when the range has
 * fewer indices than the communicator has ranks, and then every rank with data holds exactly one
 * value (ranks 0..n-1). That case gathers the n values with one allgather and folds them in index
 * order on every rank: the same result everywhere, no identity invented. An empty range has
 * nothing to reduce and is ERR_ARG on every rank (Julia's `reduce` over an empty collection
 * fails the same way).
 */
import type { Comm } from "../comm/comm.ts";
import { badArgument, invalidArguments } from "../errors.ts";
import type { OpLike } from "../ops/op.ts";
import { ownAccumulator } from "../ops/combine.ts";
import { blockRange } from "./block-range.ts";
import { applyLocal } from "./local-op.ts";

/** A half-open range `start, start + step, ...` up to but not including `stop` (like Python's range). */
export interface ReduceRange {
  start: number;
  stop: number;
  /** Non-zero integer, default 1; negative steps count down. */
  step?: number;
}

/**
 * Folds `fn(i)` with `op` over the indices of `range` split evenly over the ranks, and returns the
 * result on every rank. `range` is `{ start, stop, step? }` or `[start, stop]` (half-open), the same
 * on every rank; `fn` may be async. `op` is a built-in `Op`, an `Op.create` op or a plain
 * associative function (applied in index order). Collective over `comm`.
 */
export async function distributedReduce<T>(
  comm: Comm,
  range: ReduceRange | readonly [number, number],
  fn: (i: number) => T | Promise<T>,
  op: OpLike<T>,
): Promise<T> {
  const { rank, size } = comm;
  const site = { rank, call: "distributedReduce" };
  const { start, step, count } = normalise(range, rank);
  if (typeof fn !== "function") {
    throw badArgument(site, "fn", fn, "a function (i) => value");
  }
  if (count === 0) {
    throw invalidArguments(site, "range is empty: a reduction over no values has no result", "range");
  }

  const block = blockRange(count, size, rank);
  let partial: T | undefined;
  for (let k = block.start; k < block.stop; k++) {
    const produced = fn(start + k * step);
    const value = isThenable(produced) ? await produced : produced;
    // Own the accumulator: a typed array from fn may be a buffer fn reuses, and the fold writes into it.
    partial = k === block.start ? ownAccumulator(value) : applyLocal(op, partial as T, value, site);
  }

  if (count >= size) return comm.allreduce(partial as T, op);
  const values = (await comm.allgather(block.stop > block.start ? [partial as T] : [])).flat() as T[];
  let result = ownAccumulator(values[0] as T);
  for (let k = 1; k < values.length; k++) result = applyLocal(op, result, values[k]!, site);
  return result;
}

function normalise(range: ReduceRange | readonly [number, number], rank: number): { start: number; step: number; count: number } {
  const [start, stop, step] = Array.isArray(range)
    ? [range[0], range[1], 1]
    : [(range as ReduceRange).start, (range as ReduceRange).stop, (range as ReduceRange).step ?? 1];
  const bad = (argument: string, got: unknown, expected: string): never => {
    throw badArgument({ rank, call: "distributedReduce" }, argument, got, expected);
  };
  if (!Number.isSafeInteger(start)) bad("range.start", start, "a safe integer");
  if (!Number.isSafeInteger(stop)) bad("range.stop", stop, "a safe integer");
  if (!Number.isSafeInteger(step) || step === 0) bad("range.step", step, "a non-zero integer");
  const count = Math.max(0, Math.ceil((stop! - start!) / step!));
  return { start: start!, step: step!, count };
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

