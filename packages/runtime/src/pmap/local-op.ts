/**
 * Applying an op to two values on one rank, for local folds (`distributedReduce`, DArray
 * reductions): the role of MPI_Reduce_local. Built-in and `Op.create` ops go through the same
 * combiner the collectives use, so a local fold accepts exactly the data allreduce accepts and
 * computes it the same way; data the op does not apply to is ERR_OP.
 */
import { combine } from "../ops/combine.ts";
import type { OpLike } from "../ops/op.ts";

export interface LocalSite {
  rank: number;
  call: string;
}

/** `op(a, b)`; `a` is changed in place when it is a typed array (the caller must own it). */
export function applyLocal<T>(op: OpLike<T>, a: T, b: T, site: LocalSite): T {
  if (typeof op === "function") return op(a, b);
  return combine(op, a, b, true, site) as T;
}
