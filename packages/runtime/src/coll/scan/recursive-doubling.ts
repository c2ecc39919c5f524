/**
 * Recursive-doubling inclusive scan (MPICH `scan_intra_recursive_doubling`): ceil(log2 p) rounds;
 * in round k a rank swaps its partial reduction (over its aligned group of 2^k ranks) with
 * rank ^ 2^k. What comes from a lower rank is put in front of both the partial and the result
 * (`lower op mine`), what comes from a higher rank only behind the partial, so a non-commutative
 * op is applied in rank order and results are deterministic. Bytes per rank: n * ceil(log2 p);
 * up to two combines per round. Non-powers of two: a partner >= p is skipped. Any op.
 * ```
 * p = 5  round 0: 0<->1 2<->3 (4 idle)   round 1: 0<->2 1<->3 (4 idle)   round 2: 0<->4 (1..3 idle)
 * rank 3: result x3 -> x2.x3 -> (x0.x1).(x2.x3);  rank 4: x4 -> x4 -> x4 -> (x0..x3).x4
 * ```
 */
import { combine, ownAccumulator } from "../../ops/combine.ts";
import type { Op } from "../../ops/op.ts";
import { collEncode, collRecvValue, collSend, type CollectiveCall } from "../messages.ts";

export const scanRecursiveDoubling = {
  name: "recursive-doubling",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    let result: unknown = ownAccumulator(data);
    let partial: unknown = size > 1 ? ownAccumulator(data) : result;
    for (let mask = 1, round = 0; mask < size; mask <<= 1, round++) {
      const partner = rank ^ mask;
      if (partner >= size) continue;
      const sent = collSend(call, partner, round, collEncode(call, partial));
      const theirs = await collRecvValue<unknown>(call, partner, round);
      await sent;
      if (partner < rank) {
        result = combine(op, result, theirs, false, site, partner);
        partial = combine(op, partial, theirs, false, site, partner);
      } else {
        partial = combine(op, partial, theirs, true, site, partner);
      }
    }
    return result as T;
  },
};
