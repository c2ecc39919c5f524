import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { collective } from "../collective.ts";
import { sharedMemoryPossible } from "../shared-region.ts";
import { barrierDissemination } from "./dissemination.ts";
import { barrierSharedMemory } from "./shared-memory.ts";

const algorithms = { dissemination: barrierDissemination, "shared-memory": barrierSharedMemory };

/** MPI_Barrier: returns once every rank of the communicator has called it. */
export function barrier(core: CommCore, call: CollectiveCallName): Promise<void> {
  return collective(core, call, () => ({ table: "barrier", input: { size: core.size, sharedMemory: sharedMemoryPossible(core) }, algorithms: algorithms }), (algorithm, running) => algorithm.run(running));
}
