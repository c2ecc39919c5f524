import type { CommCore } from "../../core/comm-core.ts";
import { runCollective } from "../messages.ts";
import { selectAlgorithm } from "../select.ts";
import { sharedMemoryPossible } from "../shared-region.ts";
import { barrierDissemination } from "./dissemination.ts";
import { barrierSharedMemory } from "./shared-memory.ts";

const algorithms = { dissemination: barrierDissemination, "shared-memory": barrierSharedMemory };

/** MPI_Barrier: returns once every rank of the communicator has called it. */
export function barrier(core: CommCore): Promise<void> {
  const algorithm = selectAlgorithm("barrier", { size: core.size, sharedMemory: sharedMemoryPossible(core) }, algorithms);
  return runCollective(core, { name: "barrier", algorithm: algorithm.name }, (call) => algorithm.run(call));
}
