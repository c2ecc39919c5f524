/**
 * Linear gatherv (MPICH `gatherv_allcomm_linear`, Open MPI `basic_linear`): every rank sends its
 * block straight to the root, which receives them all at once and copies each into its place in
 * one array of the counts' total. One round, each byte crosses the network once; the root checks
 * every block's kind and length against its counts before it returns. Any p, any root.
 * ```
 * p = 4, root 0, counts [2, 0, 3, 1]:   1 -> 0 (0 elements)   2 -> 0 (3)   3 -> 0 (1)
 * ```
 */
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import type { BlockStarts } from "../counts.ts";
import { collRecv, collSend, type CollectiveCall } from "../messages.ts";
import { allocateLike } from "../typed-blocks.ts";
import { place, receivedVectorBlock, vectorBlock } from "../vector-blocks.ts";

export const gathervLinear = {
  name: "linear",
  canRun: (): true => true,
  /** `starts`: the root's counts as block starts (also a leaf's, when it passed counts). */
  async run<T extends AnyTypedArray>(call: CollectiveCall, data: T, root: number, starts: BlockStarts | undefined, digest: number): Promise<T | undefined> {
    const { rank, size } = call.core;
    if (rank !== root) {
      await collSend(call, root, 0, vectorBlock(data, 0, data.length, digest));
      return undefined;
    }
    const result = allocateLike(data, starts![size]!);
    const pending: Promise<void>[] = [];
    for (let source = 0; source < size; source++) {
      if (source === root) continue;
      const length = starts![source + 1]! - starts![source]!;
      pending.push(
        collRecv(call, source, 0).then((message) =>
          place(result, receivedVectorBlock(call, message, { owner: source, like: data, length, digest }), starts![source]!),
        ),
      );
    }
    place(result, data, starts![root]!);
    await Promise.all(pending);
    return result as T;
  },
};
