/**
 * Ring allgatherv (MPICH `allgatherv_intra_ring`): p - 1 steps; in step k every rank passes to its
 * right neighbour the block it received in step k - 1 (its own first), forwarded as it came, and
 * copies each block into its place in one array of the counts' total. Bandwidth-optimal for any
 * counts: each rank sends and receives every block but its own once. Every hop checks the block's
 * kind, its length against this rank's counts and its first sender's counts digest, so ranks whose
 * counts differ fail with ERR_COLL_MISMATCH. Any p.
 * ```
 * p = 3, step 0: 0->1 (b0) 1->2 (b1) 2->0 (b2)   step 1: 0->1 (b2) 1->2 (b0) 2->0 (b1)
 * ```
 */
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import type { BlockStarts } from "../counts.ts";
import { asPayload, collRecv, collSend, type CollectiveCall } from "../messages.ts";
import { allocateLike } from "../typed-blocks.ts";
import { place, receivedVectorBlock, vectorBlock } from "../vector-blocks.ts";

export const allgathervRing = {
  name: "ring",
  canRun: (): true => true,
  async run<T extends AnyTypedArray>(call: CollectiveCall, data: T, starts: BlockStarts, digest: number): Promise<T> {
    const { rank, size } = call.core;
    const result = allocateLike(data, starts[size]!);
    place(result, data, starts[rank]!);
    let outgoing = vectorBlock(data, 0, data.length, digest);
    const right = (rank + 1) % size;
    const left = (rank - 1 + size) % size;
    for (let step = 0; step < size - 1; step++) {
      const sent = collSend(call, right, step, outgoing);
      const message = await collRecv(call, left, step);
      await sent;
      const owner = (rank - step - 1 + 2 * size) % size;
      const length = starts[owner + 1]! - starts[owner]!;
      place(result, receivedVectorBlock(call, message, { owner, like: data, length, digest }), starts[owner]!);
      outgoing = asPayload(message);
    }
    return result as T;
  },
};
