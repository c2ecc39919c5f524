/**
 * Ring reduce-scatter (the first half of the ring allreduce, Patarasuk & Yuan 2009; Open MPI
 * `ompi_coll_base_reduce_scatter_intra_ring`): p - 1 steps;
 * in step k rank r sends its partial block (r - k - 1) mod p to r + 1 and adds what comes from
 * r - 1 into its block (r - k - 2) mod p, in place in one preallocated copy of its vector. After
 * p - 1 steps block r holds every rank's contribution. Bandwidth-optimal: each rank sends and
 * receives (p - 1) n / p elements. Commutative ops on typed arrays only (block b is reduced in the
 * order b+1, b+2, ..., b: fixed for a given p, so results are bitwise reproducible but not in rank
 * order). Any p.
 * ```
 * p = 3, step 0: 0->1 (blk 2) 1->2 (blk 0) 2->0 (blk 1)   step 1: 0->1 (blk 1) 1->2 (blk 2) 2->0 (blk 0)
 * ```
 */
import type { Op } from "../../ops/op.ts";
import type { SelectionInput } from "../select.ts";
import type { BlockStarts } from "../counts.ts";
import type { CollectiveCall } from "../messages.ts";
import { combineRange, ownVector, recvRange, sendRange, slice, type Vector } from "./blocks.ts";

export const reduceScatterRing = {
  name: "ring",
  canRun(input: SelectionInput): true | string {
    if (!input.commutative) return "ring applies the op out of rank order, and this op is not commutative";
    if (!input.typedArray) return "ring reduces typed arrays in place, and this data is not a typed array";
    return true;
  },
  async run<T extends Vector>(call: CollectiveCall, data: T, op: Op, starts: BlockStarts, digest: number): Promise<T> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    const acc = ownVector(data);
    const right = (rank + 1) % size;
    const left = (rank - 1 + size) % size;
    for (let step = 0; step < size - 1; step++) {
      const out = (rank - step - 1 + 2 * size) % size;
      const into = (rank - step - 2 + 2 * size) % size;
      const sent = sendRange(call, right, step, acc, starts[out]!, starts[out + 1]!, digest);
      const theirs = await recvRange(call, left, step, acc, op, digest);
      await sent;
      combineRange(op, acc, starts[into]!, starts[into + 1]!, theirs, false, site, left);
    }
    return slice(acc, starts[rank]!, starts[rank + 1]!) as T;
  },
};
