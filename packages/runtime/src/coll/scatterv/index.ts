import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import { collective } from "../collective.ts";
import { checkCounts, checkLength, checkTypedArray, countsDigest } from "../counts.ts";
import { checkRoot } from "../root.ts";
import { NO_DIGEST } from "../vector-blocks.ts";
import { scattervLinear } from "./linear.ts";

export const scattervAlgorithms = {
  linear: scattervLinear,
};

/**
 * MPI_Scatterv: rank i gets a new typed array of the root's `counts[i]` elements of `data`, taken
 * in rank order. `data` and `counts` are read on the root; another rank that passes `counts` has
 * its block checked against them.
 */
export function scatterv<T extends AnyTypedArray>(core: CommCore, data: T | undefined, counts: readonly number[] | undefined, root: number, call: CollectiveCallName): Promise<T> {
  const plan = () => {
    const site = { rank: core.rank, call };
    checkRoot(core, call, root);
    const isRoot = core.rank === root;
    if (isRoot) checkTypedArray(site, "data", data);
    const starts = isRoot || counts !== undefined ? checkCounts(site, "counts", counts, core.size, ", on the root") : undefined;
    if (isRoot) checkLength(site, "data", data!, starts![core.size]!, "the sum of counts");
    const digest = starts === undefined ? NO_DIGEST : countsDigest(starts);
    // Only p: the root alone knows the counts. No data kind in the signature: only the root has data.
    return { table: "scatterv", input: { size: core.size }, algorithms: scattervAlgorithms, root, starts, digest } as const;
  };
  return collective(core, call, plan, (algorithm, running, { starts, digest }) => algorithm.run(running, data, root, starts, digest));
}
