/**
 * Reduce-scatter as a reduce to rank 0 followed by a scatter (Open MPI
 * `ompi_coll_base_reduce_scatter_intra_nonoverlapping`):
 * the always-safe row. Reduce: ceil(log2 p) binomial rounds in which rank v receives the whole
 * vector of v + 2^k's subtree and puts it behind its own (`mine op theirs`), so any op, commutative
 * or not, is applied in rank order x0 op x1 op ... Scatter: rank 0 sends block i to rank i
 * directly. Bytes: n per tree edge (n log2 p into rank 0's links) plus n out of rank 0: the slowest
 * for large n, but the only one for non-commutative ops. Any p.
 * ```
 * p = 5  reduce: 1->0 3->2 | 2->0 | 4->0     scatter: 0->1 0->2 0->3 0->4 (one block each)
 * ```
 */
import { opResultMisshapen } from "../../errors.ts";
import { combine } from "../../ops/combine.ts";
import type { Op } from "../../ops/op.ts";
import type { BlockStarts } from "../counts.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";
import { ownVector, recvRange, sendRange, slice, type Vector } from "./blocks.ts";

/** Step of the scatter messages: after every reduce round (at most 32). */
const SCATTER_STEP = 64;

export const reduceScatterViaReduce = {
  name: "via-reduce",
  canRun: (): true => true,
  async run<T extends Vector>(call: CollectiveCall, data: T, op: Op, starts: BlockStarts, digest: number): Promise<T> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    let acc: unknown = ownVector(data);
    for (let mask = 1, round = 0; mask < size; mask <<= 1, round++) {
      if (rank & mask) {
        await collSendValue(call, rank - mask, round, acc);
        // Rank 0 checked every vector's length against its own before scattering.
        return (await recvRange(call, 0, SCATTER_STEP, data, op, digest)) as T;
      }
      if (rank + mask < size) acc = combine(op, acc, await collRecvValue(call, rank + mask, round), true, site, rank + mask);
    }
    const total = acc as Vector;
    if (total.length !== data.length) throw opResultMisshapen(site, String(op), total, data.length);
    const sends: Promise<void>[] = [];
    for (let dest = 1; dest < size; dest++) sends.push(sendRange(call, dest, SCATTER_STEP, total, starts[dest]!, starts[dest + 1]!, digest));
    await Promise.all(sends);
    return slice(total, starts[0]!, starts[1]!) as T;
  },
};
