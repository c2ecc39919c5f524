import type { Op } from "../../ops/op.ts";
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { collective } from "../collective.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { exscanLinear } from "./linear.ts";
import { exscanRecursiveDoubling } from "./recursive-doubling.ts";

export const exscanAlgorithms = {
  "recursive-doubling": exscanRecursiveDoubling,
  linear: exscanLinear,
};

/** MPI_Exscan: rank r > 0 gets `op` over the data of ranks 0..r-1, in rank order; rank 0 `undefined`. */
export function exscan<T>(core: CommCore, data: T, op: unknown, call: CollectiveCallName): Promise<T | undefined> {
  const plan = () => {
    const resolved = resolveOp(core, call, op, data);
    return { table: "exscan", input: reductionInput(core, data, resolved), algorithms: exscanAlgorithms, op: resolved, data } as const;
  };
  return collective(core, call, plan, (algorithm, running, { op: resolved }) => algorithm.run(running, data, resolved));
}
