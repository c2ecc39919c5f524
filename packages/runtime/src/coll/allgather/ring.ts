/**
 * Ring allgather (MPICH `allgather_intra_ring`): the ring pass of base/ring-pass.ts, each rank's
 * block forwarded around the ring in p - 1 steps. Bandwidth-optimal: each rank sends and receives
 * (p - 1) blocks, and any p works. Blocks may be any values.
 */
import { copyForSelf, decodeMessage } from "../../core/payload.ts";
import { ringPass } from "../base/ring-pass.ts";
import { collEncode, type CollectiveCall } from "../messages.ts";

export const allgatherRing = {
  name: "ring",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T): Promise<T[]> {
    const { rank, size } = call.core;
    const blocks = new Array<T>(size);
    // This rank's own block is a copy too, so no block of the result aliases the caller's data.
    blocks[rank] = copyForSelf(call.core, call.name, data);
    await ringPass(call, collEncode(call, data), (owner, message) => {
      blocks[owner] = decodeMessage<T>(call.core, call.name, message);
    });
    return blocks;
  },
};
