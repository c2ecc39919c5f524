import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { isTypedArray } from "../../wire/typed-array.ts";
import { collective } from "../collective.ts";
import { checkRoot } from "../root.ts";
import { selectAlgorithm, type SelectionInput } from "../select.ts";
import { bcastBinomial } from "./binomial.ts";
import { bcastScatterAllgather } from "./scatter-allgather.ts";
import { bcastSharedMemory } from "./shared-memory.ts";
import { sharedMemoryPossible } from "../shared-region.ts";

export const bcastAlgorithms = {
  binomial: bcastBinomial,
  "scatter-allgather": bcastScatterAllgather,
  "shared-memory": bcastSharedMemory,
};

/**
 * MPI_Bcast: the root's `data` on every rank. The root gets its own `data` back, the same object
 * (as mpi4py's `bcast` does); the other ranks get a copy, or, if they pass a typed array, that
 * array filled with the root's data (which must then be of its kind and length).
 *
 * What the selection table sees: a typed array on this rank says the algorithm may run on typed
 * arrays (a forced scatter-allgather needs that on every rank), but `bytes` only when
 * `sizeKnownEverywhere`: from `bcast(data, root)` the root cannot tell whether the others passed
 * buffers (the object form) or not, so no size-based row may decide there.
 */
export function bcast<T>(core: CommCore, data: T, root: number, call: CollectiveCallName, sizeKnownEverywhere = false): Promise<T> {
  const plan = () => {
    checkRoot(core, call, root);
    const typed = isTypedArray(data);
    const input: SelectionInput = {
      size: core.size,
      typedArray: typed,
      bytes: typed && sizeKnownEverywhere ? data.byteLength : undefined,
      sharedMemory: sharedMemoryPossible(core),
    };
    // Only bcastBuffer's buffers must be of one kind everywhere; bcast's non-roots may pass anything.
    return { table: "bcast", input, algorithms: bcastAlgorithms, root, data: sizeKnownEverywhere ? data : undefined } as const;
  };
  return collective(core, call, plan, (algorithm, running) => algorithm.run(running, data, root));
}
