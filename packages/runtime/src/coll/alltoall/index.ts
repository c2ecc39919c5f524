import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { badArgument } from "../../errors.ts";
import { collective } from "../collective.ts";
import { alltoallBruck } from "./bruck.ts";
import { alltoallPairwise } from "./pairwise.ts";

export const alltoallAlgorithms = {
  bruck: alltoallBruck,
  pairwise: alltoallPairwise,
};

/** MPI_Alltoall: `items[i]` goes to rank i; the result's entry j came from rank j. */
export function alltoall<T>(core: CommCore, items: readonly T[], call: CollectiveCallName): Promise<T[]> {
  const plan = () => {
    if (!Array.isArray(items) || items.length !== core.size) {
      throw badArgument({ rank: core.rank, call }, "items", items, `an array of ${core.size} items, one per rank`);
    }
    // Only p: item sizes differ between ranks and items, so no rank knows the others'.
    return { table: "alltoall", input: { size: core.size }, algorithms: alltoallAlgorithms } as const;
  };
  return collective(core, call, plan, (algorithm, running) => algorithm.run(running, items));
}
