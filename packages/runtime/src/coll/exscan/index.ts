import type { CommCore } from "../../core/comm-core.ts";
import { runCollective } from "../messages.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { selectAlgorithm } from "../select.ts";
import { exscanLinear } from "./linear.ts";
import { exscanRecursiveDoubling } from "./recursive-doubling.ts";

export const exscanAlgorithms = {
  "recursive-doubling": exscanRecursiveDoubling,
  linear: exscanLinear,
};

/** MPI_Exscan: rank r > 0 gets `op` over the data of ranks 0..r-1, in rank order; rank 0 `undefined`. */
export function exscan<T>(core: CommCore, data: T, op: unknown, callName: "exscan" | "iexscan" = "exscan"): Promise<T | undefined> {
  const resolved = resolveOp(core, callName, op, data);
  const algorithm = selectAlgorithm("exscan", reductionInput(core, data, resolved), exscanAlgorithms);
  return runCollective(core, { name: "exscan", algorithm: algorithm.name, op: resolved }, (call) => algorithm.run(call, data, resolved));
}
