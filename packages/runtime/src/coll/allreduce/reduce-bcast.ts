/**
 * Reduce then broadcast (Open MPI `allreduce_intra_nonoverlapping`): a binomial reduce to rank 0
 * in rank order, then a binomial broadcast of the result. The always-safe fallback: any op, any value, any p.
 *
 * Rounds: 2 ceil(log2 p). Bytes moved: each rank sends n once up the tree and receives it once down
 * (inner ranks more), so it is slower than recursive doubling for small data and than the ring for
 * large, but it has one rank compute the result, which every rank then receives bitwise.
 * ```
 * p = 5:  reduce  1->0 3->2 | 2->0 | 4->0      bcast  0->4 | 0->2 | 0->1 2->3
 * ```
 */
import type { Op } from "../../ops/op.ts";
import { bcastBinomial } from "../bcast/binomial.ts";
import type { CollectiveCall } from "../messages.ts";
import { reduceBinomial } from "../reduce/binomial.ts";

export const allreduceReduceBcast = {
  name: "reduce-bcast",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T> {
    // Non-commutative ops reduce towards 0 anyway; rooting both trees at 0 skips a round.
    const reduced = await reduceBinomial.run(call, data, op, 0, 0);
    return bcastBinomial.run(call, reduced as T, 0, 2);
  },
};
