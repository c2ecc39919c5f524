/**
 * Rabenseifner's allreduce (Rabenseifner 2004; Thakur, Rabenseifner & Gropp 2005; MPICH
 * `allreduce_intra_reduce_scatter_allgather`): a reduce-scatter by recursive halving, then an
 * allgather by recursive doubling, over typed arrays.
 *
 * Rounds: 2 log2(p') (+2 when p is not a power of two), p' the largest power of two <= p. Bytes moved
 * per rank: 2 n (p' - 1) / p' (+n for the ranks that fold). Ops: commutative ones only. Typed arrays
 * only. Fewer rounds than the ring (log p instead of p) for the same bytes, so it wins at mid sizes
 * and on larger p.
 *
 * Sizes that are not powers of two: as in recursive doubling, the first 2r ranks (r = p - p') fold
 * pairwise, each even one handing its whole vector to the odd one above and getting the result back.
 * ```
 * p = 4, blocks b0..b3   halving  step 1: 0<->2, 1<->3 (halves)   step 2: 0<->1, 2<->3 (quarters)
 *                        rank r now holds block r reduced over all ranks
 *                        doubling step 3: 0<->1, 2<->3 (quarters) step 4: 0<->2, 1<->3 (halves)
 * ```
 * Each step reduces into the fresh buffer that just arrived, which then holds this rank's part:
 * the caller's array is only read, and nothing is copied but the first half sent and the result.
 */
import type { Op } from "../../ops/op.ts";
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import { collRecv, collSend, type CollectiveCall } from "../messages.ts";
import type { SelectionInput } from "../select.ts";
import { allocateLike, blockPayload, blockStarts, receivedBlock, reduceBlockInPlace } from "../typed-blocks.ts";
import { powerOfTwoFold } from "../base/power-of-two-fold.ts";

export const allreduceRabenseifner = {
  name: "rabenseifner",
  canRun(input: SelectionInput): true | string {
    if (input.typedArray !== true) return "rabenseifner needs a typed array on every rank";
    if (input.commutative !== true) return "rabenseifner reduces halves in butterfly order, so it needs a commutative op";
    return true;
  },
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T> {
    const mine = data as AnyTypedArray;
    const { rank, size } = call.core;
    const n = mine.length;
    const { pof2, rounds, newRank, foldPartner, realRank } = powerOfTwoFold(rank, size);

    // Fold: `current` holds elements [lo, hi) of this rank's partial result, owned unless it is `mine`.
    let current: AnyTypedArray = mine;
    if (foldPartner !== undefined && newRank < 0) {
      await collSend(call, foldPartner, 0, blockPayload(mine, 0, n));
    } else if (foldPartner !== undefined) {
      current = receivedBlock(call, await collRecv(call, foldPartner, 0), mine, n, "the folded vector");
      reduceBlockInPlace(op, current, mine, { rank: call.core.rank, call: call.name });
    }

    let result: AnyTypedArray;
    if (newRank >= 0) {
      const starts = blockStarts(n, pof2);
      // Recursive halving: keep the half of [first, last) blocks on this rank's side of `mask`.
      let first = 0;
      let last = pof2;
      let offset = 0; // element index of current[0]
      for (let mask = pof2 >> 1, step = 1; mask >= 1; mask >>= 1, step++) {
        const partner = realRank(newRank ^ mask);
        const middle = first + mask;
        const [keepFirst, keepLast, sendFirst, sendLast] = (newRank & mask) === 0 ? [first, middle, middle, last] : [middle, last, first, middle];
        const sendStart = starts[sendFirst]! - offset;
        const sendEnd = starts[sendLast]! - offset;
        const payload = blockPayload(current, sendStart, sendEnd);
        const sent = collSend(call, partner, step, payload);
        const keepStart = starts[keepFirst]!;
        const keepEnd = starts[keepLast]!;
        const incoming = receivedBlock(call, await collRecv(call, partner, step), mine, keepEnd - keepStart, `blocks ${keepFirst}..${keepLast - 1}`);
        reduceBlockInPlace(op, incoming, current.subarray(keepStart - offset, keepEnd - offset), { rank: call.core.rank, call: call.name });
        await sent;
        current = incoming;
        first = keepFirst;
        last = keepLast;
        offset = keepStart;
      }

      // Recursive doubling: exchange the blocks held so far, doubling them each step.
      result = allocateLike(mine, n);
      result.set(current as never, offset);
      for (let mask = 1, step = rounds + 1; mask < pof2; mask <<= 1, step++) {
        const partner = realRank(newRank ^ mask);
        const theirFirst = first ^ mask;
        const theirLast = theirFirst + mask;
        const sent = collSend(call, partner, step, blockPayload(result, starts[first]!, starts[last]!));
        const theirStart = starts[theirFirst]!;
        const theirEnd = starts[theirLast]!;
        const incoming = receivedBlock(call, await collRecv(call, partner, step), mine, theirEnd - theirStart, `reduced blocks ${theirFirst}..${theirLast - 1}`);
        result.set(incoming as never, theirStart);
        await sent;
        first = Math.min(first, theirFirst);
        last = first + 2 * mask;
      }
    }

    // Unfold: the odd ranks of the folded pairs hand the result to their even partners.
    const back = 2 * rounds + 1;
    if (foldPartner !== undefined) {
      if (newRank >= 0) await collSend(call, foldPartner, back, blockPayload(result!, 0, n));
      else result = receivedBlock(call, await collRecv(call, foldPartner, back), mine, n, "the result");
    }
    return result! as T;
  },
};
