import type { Op } from "../../ops/op.ts";
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { collective } from "../collective.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
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
export function allreduce<T>(core: CommCore, data: T, op: unknown, call: CollectiveCallName): Promise<T> {
  const plan = () => {
    const resolved = resolveOp(core, call, op, data);
    return { table: "allreduce", input: reductionInput(core, data, resolved), algorithms: allreduceAlgorithms, op: resolved, data } as const;
  };
  return collective(core, call, plan, (algorithm, running, { op: resolved }) => algorithm.run(running, data, resolved));
}
