import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { collective } from "../collective.ts";
import { checkRoot } from "../root.ts";
import { gatherBinomial } from "./binomial.ts";
import { gatherLinear } from "./linear.ts";

export const gatherAlgorithms = {
  binomial: gatherBinomial,
  linear: gatherLinear,
};

/** MPI_Gather: the root gets every rank's data in rank order; the others get `undefined`. */
export function gather<T>(core: CommCore, data: T, root: number, call: CollectiveCallName): Promise<T[] | undefined> {
  const plan = () => {
    checkRoot(core, call, root);
    // Only p: block sizes are not known to every rank (any value may be gathered).
    return { table: "gather", input: { size: core.size }, algorithms: gatherAlgorithms, root } as const;
  };
  return collective(core, call, plan, (algorithm, running) => algorithm.run(running, data, root));
}
