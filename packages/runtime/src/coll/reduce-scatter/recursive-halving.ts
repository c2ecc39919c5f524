/**
 * Recursive-halving reduce-scatter (Thakur, Rabenseifner & Gropp 2005; MPICH
 * `reduce_scatter_intra_recursive_halving`): log2(p') rounds, p' the largest power of two <= p.
 * In round k a rank sends the half of its current range that its partner rank ^ (p'/2^(k+1)) keeps
 * and combines the partner's copy of the half it keeps, so the range halves each round. Bytes per
 * rank: about n (n/2 + n/4 + ...), in log2(p') messages: good for every size. Commutative ops
 * (halves are combined in hypercube order, fixed for a given p: reproducible, not rank order);
 * typed arrays are reduced in place, arrays of numbers element-wise.
 *
 * Sizes that are not powers of two: the first 2r ranks (r = p - p') pair up; each even rank hands
 * its whole vector to the odd rank above it, which then works for both (its range covers blocks
 * 2i and 2i+1), and gets its block back at the end.
 * ```
 * p = 6 (p' = 4, r = 2): 0->1 2->3 | 1<->4 3<->5 (halves) | 1<->3 4<->5 (quarters) | 1->0 3->2
 * ```
 */
import type { Op } from "../../ops/op.ts";
import type { SelectionInput } from "../select.ts";
import type { BlockStarts } from "../counts.ts";
import type { CollectiveCall } from "../messages.ts";
import { combineRange, ownVector, recvRange, sendRange, slice, type Vector } from "./blocks.ts";
import { powerOfTwoFold } from "../base/power-of-two-fold.ts";

export const reduceScatterRecursiveHalving = {
  name: "recursive-halving",
  canRun(input: SelectionInput): true | string {
    return input.commutative ? true : "recursive-halving applies the op out of rank order, and this op is not commutative";
  },
  async run<T extends Vector>(call: CollectiveCall, data: T, op: Op, starts: BlockStarts, digest: number): Promise<T> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    const acc = ownVector(data);
    const n = acc.length;
    const { pof2, rem, rounds, newRank, foldPartner, realRank } = powerOfTwoFold(rank, size);
    // Where the range of "new" rank j (after the fold) begins; new ranks cover contiguous blocks.
    const newStart = (j: number): number => (j >= pof2 ? n : starts[j < rem ? 2 * j : j + rem]!);

    if (foldPartner !== undefined) {
      if (newRank < 0) await sendRange(call, foldPartner, 0, acc, 0, n, digest);
      else combineRange(op, acc, 0, n, await recvRange(call, foldPartner, 0, acc, op, digest), false, site, foldPartner);
    }

    let step = 1;
    if (newRank >= 0) {
      let lo = 0;
      let hi = pof2;
      for (let mask = pof2 >> 1; mask > 0; mask >>= 1, step++) {
        const partner = realRank(newRank ^ mask);
        const mid = lo + mask;
        const [keepLo, keepHi, giveLo, giveHi] = newRank < mid ? [lo, mid, mid, hi] : [mid, hi, lo, mid];
        const sent = sendRange(call, partner, step, acc, newStart(giveLo), newStart(giveHi), digest);
        const theirs = await recvRange(call, partner, step, acc, op, digest);
        await sent;
        combineRange(op, acc, newStart(keepLo), newStart(keepHi), theirs, rank < partner, site, partner);
        [lo, hi] = [keepLo, keepHi];
      }
    } else {
      step += rounds;
    }

    if (foldPartner !== undefined) {
      if (newRank >= 0) await sendRange(call, foldPartner, step, acc, starts[foldPartner]!, starts[rank]!, digest);
      else return (await recvRange(call, foldPartner, step, acc, op, digest)) as T;
    }
    return slice(acc, starts[rank]!, starts[rank + 1]!) as T;
  },
};
