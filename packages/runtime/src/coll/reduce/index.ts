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
  checkRoot(core, call, root);
  const resolved = resolveOp(core, call, op, data);
  return collective(core, call, { table: "reduce", input: reductionInput(core, data, resolved), algorithms: reduceAlgorithms, op: resolved, root }, (algorithm, running) =>
    algorithm.run(running, data, resolved, root),
  );
}
