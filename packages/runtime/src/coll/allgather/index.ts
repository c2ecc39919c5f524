import type { CommCore } from "../../comm/core.ts";
import { runCollective } from "../messages.ts";
import { selectAlgorithm } from "../select.ts";
import { allgatherRing } from "./ring.ts";

export const allgatherAlgorithms = {
  ring: allgatherRing,
};

/** MPI_Allgather: every rank gets the array of every rank's data, in rank order. */
export function allgather<T>(core: CommCore, data: T, callName: "allgather" | "split" = "allgather"): Promise<T[]> {
  const algorithm = selectAlgorithm("allgather", { size: core.size }, allgatherAlgorithms);
  return runCollective(core, { name: callName, algorithm: algorithm.name }, (call) => algorithm.run(call, data));
}
