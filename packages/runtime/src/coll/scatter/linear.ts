/**
 * Linear scatter (MPICH `scatter_intra_linear`, Open MPI `basic_linear`): the root sends item i
 * straight to rank i, all sends in flight together. One round; every byte crosses the network
 * once (a tree forwards lower levels' bytes log2(p) times), so it suits large items. Any p, any root.
 * ```
 * p = 4, root 0:   0 -> 1 (i1)   0 -> 2 (i2)   0 -> 3 (i3)
 * ```
 */
import { copyForSelf } from "../../core/payload.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";

export const scatterLinear = {
  name: "linear",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, items: readonly T[] | undefined, root: number): Promise<T> {
    const { rank, size } = call.core;
    if (rank !== root) return collRecvValue<T>(call, root, 0);
    const sends: Promise<void>[] = [];
    for (let dest = 0; dest < size; dest++) if (dest !== root) sends.push(collSendValue(call, dest, 0, items![dest]));
    const own = copyForSelf(call.core, call.name, items![root]!);
    await Promise.all(sends);
    return own;
  },
};
