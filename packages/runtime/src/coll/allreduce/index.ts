import type { CommCore } from "../../core/comm-core.ts";
import { runCollective } from "../messages.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { selectAlgorithm } from "../select.ts";
import { allreduceRabenseifner } from "./rabenseifner.ts";
import { allreduceRecursiveDoubling } from "./recursive-doubling.ts";
import { allreduceReduceBcast } from "./reduce-bcast.ts";
import { allreduceRing } from "./ring.ts";
import { allreduceSharedMemory } from "./shared-memory.ts";

export const allreduceAlgorithms = {
  "recursive-doubling": allreduceRecursiveDoubling,
  ring: allreduceRing,
  rabenseifner: allreduceRabenseifner,
  "reduce-bcast": allreduceReduceBcast,
  "shared-memory": allreduceSharedMemory,
};

/** MPI_Allreduce: every rank gets `op` over all ranks' data, bitwise equal on every rank. */
export function allreduce<T>(core: CommCore, data: T, op: unknown, callName: "allreduce" | "dup" | "split" | "createCart" | "sub" = "allreduce"): Promise<T> {
  const resolved = resolveOp(core, callName, op, data);
  const algorithm = selectAlgorithm("allreduce", reductionInput(core, data, resolved), allreduceAlgorithms);
  return runCollective(core, { name: callName, algorithm: algorithm.name, op: resolved }, (call) =>
    algorithm.run(call, data, resolved),
  );
}
