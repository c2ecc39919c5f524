/**
 * Ring allgatherv (MPICH `allgatherv_intra_ring`): the ring pass of base/ring-pass.ts, each block
 * copied into its place in one array of the counts' total as it passes. Bandwidth-optimal for any
 * counts: each rank sends and receives every block but its own once. Every hop checks the block's
 * kind, its length against this rank's counts and its first sender's counts digest, so ranks whose
 * counts differ fail with ERR_COLL_MISMATCH. Any p.
 */
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import { ringPass } from "../base/ring-pass.ts";
import type { BlockStarts } from "../counts.ts";
import type { CollectiveCall } from "../messages.ts";
import { allocateLike } from "../typed-blocks.ts";
import { place, receivedVectorBlock, vectorBlock } from "../vector-blocks.ts";

export const allgathervRing = {
  name: "ring",
  canRun: (): true => true,
  async run<T extends AnyTypedArray>(call: CollectiveCall, data: T, starts: BlockStarts, digest: number): Promise<T> {
    const { rank, size } = call.core;
    const result = allocateLike(data, starts[size]!);
    place(result, data, starts[rank]!);
    await ringPass(call, vectorBlock(data, 0, data.length, digest), (owner, message) => {
      const length = starts[owner + 1]! - starts[owner]!;
      place(result, receivedVectorBlock(call, message, { owner, like: data, length, digest }), starts[owner]!);
    });
    return result as T;
  },
};
