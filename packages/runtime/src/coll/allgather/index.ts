import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { collective } from "../collective.ts";
import { allgatherBruck } from "./bruck.ts";
import { allgatherRecursiveDoubling } from "./recursive-doubling.ts";
import { allgatherRing } from "./ring.ts";

export const allgatherAlgorithms = {
  ring: allgatherRing,
  bruck: allgatherBruck,
  "recursive-doubling": allgatherRecursiveDoubling,
};

/** MPI_Allgather: every rank gets the array of every rank's data, in rank order. */
export function allgather<T>(core: CommCore, data: T, call: CollectiveCallName): Promise<T[]> {
  // Only p: blocks may differ in size between ranks (any value), so no rank knows the others'.
  return collective(core, call, () => ({ table: "allgather", input: { size: core.size }, algorithms: allgatherAlgorithms }), (algorithm, running) => algorithm.run(running, data));
}
