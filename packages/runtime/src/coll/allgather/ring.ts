/**
 * Ring allgather (MPICH `allgather_intra_ring`): p - 1 steps; in step k every rank passes to its
 * right neighbour the block it received in step k - 1 (its own block first). Bandwidth-optimal:
 * each rank sends and receives (p - 1) blocks, and any p works. Blocks may be any values.
 * ```
 * p = 4, step 0: 0->1 (b0) 1->2 (b1) 2->3 (b2) 3->0 (b3)
 *        step 1: 0->1 (b3) 1->2 (b0) 2->3 (b1) 3->0 (b2)  ...
 * ```
 */
import { copyForSelf, decodeMessage } from "../../core/payload.ts";
import { asPayload, collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";

export const allgatherRing = {
  name: "ring",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T): Promise<T[]> {
    const { rank, size } = call.core;
    let outgoing = collEncode(call, data);
    const blocks = new Array<T>(size);
    // This rank's own block is a copy too, so no block of the result aliases the caller's data.
    blocks[rank] = copyForSelf(call.core, call.name, data);
    const right = (rank + 1) % size;
    const left = (rank - 1 + size) % size;
    for (let step = 0; step < size - 1; step++) {
      const sent = collSend(call, right, step, outgoing);
      const message = await collRecv(call, left, step);
      await sent;
      const owner = (rank - step - 1 + 2 * size) % size;
      blocks[owner] = decodeMessage<T>(call.core, call.name, message);
      outgoing = asPayload(message); // forwarded as it came, never re-encoded
    }
    return blocks;
  },
};
