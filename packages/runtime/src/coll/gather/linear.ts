/**
 * Linear gather (MPICH `gather_intra_linear`, Open MPI `basic_linear`): every rank sends its block
 * straight to the root, which receives them all at once. One round; the root receives (p - 1)
 * blocks and nothing is forwarded, so each byte crosses the network once: the right choice for
 * large blocks, where a tree would move the lower levels' bytes log2(p) times. Any p, any root.
 * ```
 * p = 4, root 0:   1 -> 0   2 -> 0   3 -> 0     (all in flight together)
 * ```
 */
import { copyForSelf } from "../../core/payload.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";

export const gatherLinear = {
  name: "linear",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, root: number): Promise<T[] | undefined> {
    const { rank, size } = call.core;
    if (rank !== root) {
      await collSendValue(call, root, 0, data);
      return undefined;
    }
    const blocks = new Array<T>(size);
    const pending: Promise<void>[] = [];
    for (let source = 0; source < size; source++) {
      if (source === root) continue;
      pending.push(collRecvValue<T>(call, source, 0).then((block) => void (blocks[source] = block)));
    }
    // The root's own block is a copy, so no block of the result aliases the caller's data.
    blocks[root] = copyForSelf(call.core, call.name, data);
    await Promise.all(pending);
    return blocks;
  },
};
