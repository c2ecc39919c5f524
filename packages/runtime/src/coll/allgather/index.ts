import type { CommCore } from "../../core/comm-core.ts";
import { runCollective } from "../messages.ts";
import { selectAlgorithm } from "../select.ts";
import { allgatherBruck } from "./bruck.ts";
import { allgatherRecursiveDoubling } from "./recursive-doubling.ts";
import { allgatherRing } from "./ring.ts";

export const allgatherAlgorithms = {
  ring: allgatherRing,
  bruck: allgatherBruck,
  "recursive-doubling": allgatherRecursiveDoubling,
};

/** MPI_Allgather: every rank gets the array of every rank's data, in rank order. */
export function allgather<T>(core: CommCore, data: T, callName: "allgather" | "split" = "allgather"): Promise<T[]> {
  // Only p: blocks may differ in size between ranks (any value), so no rank knows the others'.
  const algorithm = selectAlgorithm("allgather", { size: core.size }, allgatherAlgorithms);
  return runCollective(core, { name: callName, algorithm: algorithm.name }, (call) => algorithm.run(call, data));
}
