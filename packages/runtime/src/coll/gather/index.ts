import type { CommCore } from "../../core/comm-core.ts";
import { runCollective } from "../messages.ts";
import { checkRoot } from "../root.ts";
import { selectAlgorithm } from "../select.ts";
import { gatherBinomial } from "./binomial.ts";
import { gatherLinear } from "./linear.ts";

export const gatherAlgorithms = {
  binomial: gatherBinomial,
  linear: gatherLinear,
};

/** MPI_Gather: the root gets every rank's data in rank order; the others get `undefined`. */
export function gather<T>(core: CommCore, data: T, root: number, callName: "gather" | "igather" = "gather"): Promise<T[] | undefined> {
  checkRoot(core, callName, root);
  // Only p: block sizes are not known to every rank (any value may be gathered).
  const algorithm = selectAlgorithm("gather", { size: core.size }, gatherAlgorithms);
  return runCollective(core, { name: "gather", algorithm: algorithm.name, root }, (call) => algorithm.run(call, data, root));
}
