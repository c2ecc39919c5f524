import type { CommCore } from "../../core/comm-core.ts";
import { TsmpiError } from "../../errors.ts";
import { runCollective } from "../messages.ts";
import { selectAlgorithm } from "../select.ts";
import { alltoallBruck } from "./bruck.ts";
import { alltoallPairwise } from "./pairwise.ts";

export const alltoallAlgorithms = {
  bruck: alltoallBruck,
  pairwise: alltoallPairwise,
};

/** MPI_Alltoall: `items[i]` goes to rank i; the result's entry j came from rank j. */
export function alltoall<T>(core: CommCore, items: readonly T[], callName: "alltoall" | "ialltoall" = "alltoall"): Promise<T[]> {
  if (!Array.isArray(items) || items.length !== core.size) {
    throw new TsmpiError("ERR_ARG", {
      rank: core.rank,
      call: callName,
      argument: "items",
      got: items,
      expected: `an array of ${core.size} items, one per rank`,
    });
  }
  // Only p: item sizes differ between ranks and items, so no rank knows the others'.
  const algorithm = selectAlgorithm("alltoall", { size: core.size }, alltoallAlgorithms);
  return runCollective(core, { name: "alltoall", algorithm: algorithm.name }, (call) => algorithm.run(call, items));
}
