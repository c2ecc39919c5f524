import type { Op } from "../../ops/op.ts";
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { collective } from "../collective.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { checkRoot } from "../root.ts";
import { reduceBinomial } from "./binomial.ts";

export const reduceAlgorithms = {
  binomial: reduceBinomial,
};

/** MPI_Reduce: `op` over every rank's data on `root`, `undefined` on the other ranks. */
export function reduce<T>(core: CommCore, data: T, op: unknown, root: number, call: CollectiveCallName): Promise<T | undefined> {
  const plan = () => {
    checkRoot(core, call, root);
    const resolved = resolveOp(core, call, op, data);
    return { table: "reduce", input: reductionInput(core, data, resolved), algorithms: reduceAlgorithms, op: resolved, root, data } as const;
  };
  return collective(core, call, plan, (algorithm, running, { op: resolved }) => algorithm.run(running, data, resolved, root));
}
