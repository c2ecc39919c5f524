import type { Op } from "../../ops/op.ts";
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { collective } from "../collective.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { scanLinear } from "./linear.ts";
import { scanRecursiveDoubling } from "./recursive-doubling.ts";

export const scanAlgorithms = {
  "recursive-doubling": scanRecursiveDoubling,
  linear: scanLinear,
};

/** MPI_Scan: rank r gets `op` over the data of ranks 0..r, in rank order. */
export function scan<T>(core: CommCore, data: T, op: unknown, call: CollectiveCallName): Promise<T> {
  const plan = () => {
    const resolved = resolveOp(core, call, op, data);
    return { table: "scan", input: reductionInput(core, data, resolved), algorithms: scanAlgorithms, op: resolved, data } as const;
  };
  return collective(core, call, plan, (algorithm, running, { op: resolved }) => algorithm.run(running, data, resolved));
}
