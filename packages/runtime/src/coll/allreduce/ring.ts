/**
 * Ring allreduce (Patarasuk & Yuan 2009; MPICH `allreduce_intra_ring`): a ring reduce-scatter
 * followed by a ring allgather over the p blocks of a typed array. Bandwidth-optimal for large data.
 *
 * Rounds: 2(p - 1). Bytes moved per rank: 2 n (p - 1) / p, sent and received. Ops: commutative ones
 * only (each block is reduced in ring order starting at a different rank). Typed arrays only.
 * Any p: the ring needs no power of two; blocks differ by at most one element when n % p != 0.
 * Every block is reduced by exactly one rank and copied to the others, so the result is bitwise
 * equal on every rank.
 * ```
 * p = 3, blocks b0 b1 b2   reduce-scatter   step 0: 0->1 b0  1->2 b1  2->0 b2
 *                                           step 1: 0->1 b2' 1->2 b0' 2->0 b1'  (rank r owns b(r+1))
 *                          allgather        step 2: 0->1 b1  1->2 b2  2->0 b0
 *                                           step 3: 0->1 b0  1->2 b1  2->0 b2
 * ```
 * Each received block is reduced into the fresh buffer it arrived in and sent on from there: no
 * copies but the first block and the result.
 */
import type { Op } from "../../ops/op.ts";
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import { asPayload, collRecv, collSend, type CollectiveCall } from "../messages.ts";
import type { SelectionInput } from "../select.ts";
import { allocateLike, blockPayload, blockStarts, receivedBlock, reduceBlockInPlace } from "../typed-blocks.ts";

export const allreduceRing = {
  name: "ring",
  canRun(input: SelectionInput): true | string {
    if (input.typedArray !== true) return "ring needs a typed array on every rank";
    if (input.commutative !== true) return "ring reduces blocks in ring order, so it needs a commutative op";
    return true;
  },
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T> {
    const mine = data as AnyTypedArray;
    const { rank, size } = call.core;
    const n = mine.length;
    const result = allocateLike(mine, n);
    if (size === 1) {
      result.set(mine as never);
      return result as T;
    }
    const starts = blockStarts(n, size);
    const block = (i: number): [number, number] => [starts[i]!, starts[i + 1]!];
    const mod = (i: number): number => ((i % size) + size) % size;
    const right = mod(rank + 1);
    const left = mod(rank - 1);

    // Reduce-scatter: after p - 1 steps this rank holds block rank + 1 reduced over every rank.
    let outgoing = blockPayload(mine, ...block(rank));
    let reduced: AnyTypedArray = mine;
    for (let step = 0; step < size - 1; step++) {
      const index = mod(rank - step - 1);
      const sent = collSend(call, right, step, outgoing);
      const [start, end] = block(index);
      const incoming = receivedBlock(call, await collRecv(call, left, step), mine, end - start, `block ${index}`);
      reduceBlockInPlace(op, incoming, mine.subarray(start, end), { rank: call.core.rank, call: call.name });
      await sent;
      outgoing = blockPayload(incoming, 0, incoming.length);
      reduced = incoming;
    }
    const own = mod(rank + 1);
    result.set(reduced as never, block(own)[0]);

    // Allgather: pass the reduced blocks round the ring, forwarding each block as it came.
    for (let step = 0; step < size - 1; step++) {
      const index = mod(rank - step);
      const sent = collSend(call, right, size - 1 + step, outgoing);
      const message = await collRecv(call, left, size - 1 + step);
      const [start, end] = block(index);
      result.set(receivedBlock(call, message, mine, end - start, `reduced block ${index}`) as never, start);
      await sent;
      outgoing = asPayload(message);
    }
    return result as T;
  },
};
