import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { badArgument } from "../../errors.ts";
import { collective } from "../collective.ts";
import { checkRoot } from "../root.ts";
import { scatterBinomial } from "./binomial.ts";
import { scatterLinear } from "./linear.ts";

export const scatterAlgorithms = {
  binomial: scatterBinomial,
  linear: scatterLinear,
};

/** MPI_Scatter: rank i gets `items[i]`; `items` is read on the root only. */
export function scatter<T>(core: CommCore, items: readonly T[] | undefined, root: number, call: CollectiveCallName): Promise<T> {
  const plan = () => {
    checkRoot(core, call, root);
    if (core.rank === root && (!Array.isArray(items) || items.length !== core.size)) {
      throw badArgument({ rank: core.rank, call }, "items", items, `an array of ${core.size} items on the root, one per rank`);
    }
    // Only p: item sizes are known to the root alone.
    return { table: "scatter", input: { size: core.size }, algorithms: scatterAlgorithms, root } as const;
  };
  return collective(core, call, plan, (algorithm, running) => algorithm.run(running, items, root));
}
