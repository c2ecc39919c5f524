import type { CommCore } from "../../core/comm-core.ts";
import { runCollective } from "../messages.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { checkRoot } from "../root.ts";
import { selectAlgorithm } from "../select.ts";
import { reduceBinomial } from "./binomial.ts";

export const reduceAlgorithms = {
  binomial: reduceBinomial,
};

/** MPI_Reduce: `op` over every rank's data on `root`, `undefined` on the other ranks. */
export function reduce<T>(core: CommCore, data: T, op: unknown, root: number): Promise<T | undefined> {
  checkRoot(core, "reduce", root);
  const resolved = resolveOp(core, "reduce", op, data);
  const algorithm = selectAlgorithm("reduce", reductionInput(core, data, resolved), reduceAlgorithms);
  return runCollective(core, { name: "reduce", algorithm: algorithm.name, op: resolved, root }, (call) =>
    algorithm.run(call, data, resolved, root),
  );
}
