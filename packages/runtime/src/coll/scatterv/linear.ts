/**
 * Linear scatterv (MPICH `scatterv_allcomm_linear`, Open MPI `basic_linear`): the root sends rank
 * i its counts[i] elements straight, all sends in flight together; each rank gets a typed array of
 * the root's kind. One round, each byte crosses the network once. A rank that passed counts checks
 * that its block has the length they give it and that the root held the same counts. Any p, any root.
 * ```
 * p = 4, root 0, counts [2, 0, 3, 1]:   0 -> 1 (0 elements)   0 -> 2 (3)   0 -> 3 (1)
 * ```
 */
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import type { BlockStarts } from "../counts.ts";
import { collRecv, collSend, type CollectiveCall } from "../messages.ts";
import { copyRange, receivedVectorBlock, vectorBlock } from "../vector-blocks.ts";

export const scattervLinear = {
  name: "linear",
  canRun: (): true => true,
  /** `data` and `starts` are the root's (`starts` also a leaf's, when it passed counts). */
  async run<T extends AnyTypedArray>(call: CollectiveCall, data: T | undefined, root: number, starts: BlockStarts | undefined, digest: number): Promise<T> {
    const { rank, size } = call.core;
    if (rank !== root) {
      const length = starts === undefined ? undefined : starts[rank + 1]! - starts[rank]!;
      return receivedVectorBlock(call, await collRecv(call, root, 0), { owner: root, length, lengthFrom: { argument: "counts", index: rank }, digest }) as T;
    }
    const sends: Promise<void>[] = [];
    for (let dest = 0; dest < size; dest++) if (dest !== root) sends.push(collSend(call, dest, 0, vectorBlock(data!, starts![dest]!, starts![dest + 1]!, digest)));
    const own = copyRange(data!, starts![root]!, starts![root + 1]!);
    await Promise.all(sends);
    return own as T;
  },
};
