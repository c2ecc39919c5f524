import type { CommCore } from "../../core/comm-core.ts";
import { TsmpiError } from "../../errors.ts";
import { runCollective } from "../messages.ts";
import { checkRoot } from "../root.ts";
import { selectAlgorithm } from "../select.ts";
import { scatterBinomial } from "./binomial.ts";
import { scatterLinear } from "./linear.ts";

export const scatterAlgorithms = {
  binomial: scatterBinomial,
  linear: scatterLinear,
};

/** MPI_Scatter: rank i gets `items[i]`; `items` is read on the root only. */
export function scatter<T>(core: CommCore, items: readonly T[] | undefined, root: number, callName: "scatter" | "iscatter" = "scatter"): Promise<T> {
  checkRoot(core, callName, root);
  if (core.rank === root && (!Array.isArray(items) || items.length !== core.size)) {
    throw new TsmpiError("ERR_ARG", {
      rank: core.rank,
      call: callName,
      argument: "items",
      got: items,
      expected: `an array of ${core.size} items on the root, one per rank`,
    });
  }
  // Only p: item sizes are known to the root alone.
  const algorithm = selectAlgorithm("scatter", { size: core.size }, scatterAlgorithms);
  return runCollective(core, { name: "scatter", algorithm: algorithm.name, root }, (call) => algorithm.run(call, items, root));
}
