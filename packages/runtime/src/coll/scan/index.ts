import type { CommCore } from "../../core/comm-core.ts";
import { runCollective } from "../messages.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { selectAlgorithm } from "../select.ts";
import { scanLinear } from "./linear.ts";
import { scanRecursiveDoubling } from "./recursive-doubling.ts";

export const scanAlgorithms = {
  "recursive-doubling": scanRecursiveDoubling,
  linear: scanLinear,
};

/** MPI_Scan: rank r gets `op` over the data of ranks 0..r, in rank order. */
export function scan<T>(core: CommCore, data: T, op: unknown, callName: "scan" | "iscan" = "scan"): Promise<T> {
  const resolved = resolveOp(core, callName, op, data);
  const algorithm = selectAlgorithm("scan", reductionInput(core, data, resolved), scanAlgorithms);
  return runCollective(core, { name: "scan", algorithm: algorithm.name, op: resolved }, (call) => algorithm.run(call, data, resolved));
}
