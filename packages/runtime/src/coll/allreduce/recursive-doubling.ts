/**
 * Recursive-doubling allreduce (Thakur, Rabenseifner & Gropp 2005; MPICH
 * `allreduce_intra_recursive_doubling`): the latency-optimal choice for small data.
 *
 * Rounds: log2(p') exchanges of the whole vector, p' the largest power of two <= p. Bytes moved per
 * rank: n * log2(p'). Any op: partners combine lower-ranked data first, so a non-commutative op sees
 * rank order and every rank computes bitwise the same result.
 *
 * Sizes that are not powers of two: the first 2r ranks (r = p - p') pair up; each even rank hands
 * its data to the odd rank above it and sits out, and gets the result back at the end.
 * ```
 * p = 6 (p' = 4, r = 2):  0->1  2->3  |  1 <-> 3, 4 <-> 5  |  1 <-> 5, 3 <-> 4  |  1->0  3->2
 * ```
 */
import type { Op } from "../../ops/op.ts";
import { combine, ownAccumulator } from "../../ops/combine.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";
import { powerOfTwoFold } from "../base/power-of-two-fold.ts";

export const allreduceRecursiveDoubling = {
  name: "recursive-doubling",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    let acc: unknown = ownAccumulator(data);
    if (size === 1) return acc as T;
    // Fold the first 2*rem ranks pairwise so that pof2 ranks remain.
    const { pof2, rounds, newRank, foldPartner, realRank } = powerOfTwoFold(rank, size);
    if (foldPartner !== undefined) {
      if (newRank < 0) await collSendValue(call, foldPartner, 0, acc);
      else acc = combine(op, acc, await collRecvValue(call, foldPartner, 0), false, site, foldPartner);
    }

    if (newRank >= 0) {
      for (let mask = 1, step = 1; mask < pof2; mask <<= 1, step++) {
        const partner = realRank(newRank ^ mask);
        const sent = collSendValue(call, partner, step, acc);
        const theirs = await collRecvValue(call, partner, step);
        await sent;
        acc = combine(op, acc, theirs, rank < partner, site, partner);
      }
    }

    const last = 1 + rounds;
    if (foldPartner !== undefined) {
      if (newRank >= 0) await collSendValue(call, foldPartner, last, acc);
      else acc = await collRecvValue(call, foldPartner, last);
    }
    return acc as T;
  },
};
