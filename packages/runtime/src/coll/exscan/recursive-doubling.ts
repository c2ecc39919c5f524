/**
 * Recursive-doubling exclusive scan (MPICH `exscan_intra_recursive_doubling`): ceil(log2 p)
 * rounds; in round k a rank swaps its partial reduction (over its aligned group of 2^k ranks) with
 * rank ^ 2^k. What comes from a lower rank goes in front of the partial and of the result (the
 * first such block becomes the result), what comes from a higher rank only behind the partial: a
 * non-commutative op is applied in rank order, results are deterministic. Rank 0 gets `undefined`.
 * Bytes per rank: n * ceil(log2 p). Non-powers of two: a partner >= p is skipped. Any op.
 * ```
 * p = 4  round 0: 0<->1 2<->3   round 1: 0<->2 1<->3
 * rank 3: result - -> x2 -> (x0.x1).x2;   rank 1: - -> x0 -> x0
 * ```
 */
import { combine, ownAccumulator } from "../../ops/combine.ts";
import type { Op } from "../../ops/op.ts";
import { collEncode, collRecvValue, collSend, type CollectiveCall } from "../messages.ts";

export const exscanRecursiveDoubling = {
  name: "recursive-doubling",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T | undefined> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    let partial: unknown = ownAccumulator(data);
    let result: unknown;
    let haveResult = false;
    for (let mask = 1, round = 0; mask < size; mask <<= 1, round++) {
      const partner = rank ^ mask;
      if (partner >= size) continue;
      const sent = collSend(call, partner, round, collEncode(call, partial));
      const theirs = await collRecvValue<unknown>(call, partner, round);
      await sent;
      if (partner < rank) {
        partial = combine(op, partial, theirs, false, site, partner);
        // `theirs` is a fresh decode that nothing else holds: it can become the accumulator.
        result = haveResult ? combine(op, result, theirs, false, site, partner) : theirs;
        haveResult = true;
      } else {
        partial = combine(op, partial, theirs, true, site, partner);
      }
    }
    return result as T | undefined;
  },
};
