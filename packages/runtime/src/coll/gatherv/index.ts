import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import { collective } from "../collective.ts";
import { checkCounts, checkLength, checkTypedArray, countsDigest } from "../counts.ts";
import { checkRoot } from "../root.ts";
import { NO_DIGEST } from "../vector-blocks.ts";
import { gathervLinear } from "./linear.ts";

export const gathervAlgorithms = {
  linear: gathervLinear,
};

/**
 * MPI_Gatherv: the root gets one typed array of sum(counts) elements, rank i's `data` at the sum of
 * the counts before i; the others get `undefined`. `counts` is read on the root, and checked
 * against this rank's own `data` on any other rank that passes it.
 */
export function gatherv<T extends AnyTypedArray>(core: CommCore, data: T, counts: readonly number[] | undefined, root: number, call: CollectiveCallName): Promise<T | undefined> {
  const plan = () => {
    const site = { rank: core.rank, call };
    checkRoot(core, call, root);
    checkTypedArray(site, "data", data);
    const starts = core.rank === root || counts !== undefined ? checkCounts(site, "counts", counts, core.size, ", on the root") : undefined;
    if (starts !== undefined) checkLength(site, "data", data, starts[core.rank + 1]! - starts[core.rank]!, `counts[${core.rank}]`);
    const digest = starts === undefined ? NO_DIGEST : countsDigest(starts);
    // Only p: the root alone knows the counts.
    return { table: "gatherv", input: { size: core.size }, algorithms: gathervAlgorithms, root, data, starts, digest } as const;
  };
  return collective(core, call, plan, (algorithm, running, { starts, digest }) => algorithm.run(running, data, root, starts, digest));
}
