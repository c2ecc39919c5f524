/**
 * Linear (chain) inclusive scan (Open MPI `ompi_coll_base_scan_intra_linear`): rank r waits for x0 op ... op x(r-1) from r - 1, combines its own data
 * behind it and passes the result to r + 1. p - 1 rounds in sequence, n bytes per link and one
 * combine per rank: least traffic and work, most latency. Any op, in rank order; any p.
 * ```
 * 0 -(x0)-> 1 -(x0.x1)-> 2 -(x0.x1.x2)-> 3
 * ```
 */
import { combine, ownAccumulator } from "../../ops/combine.ts";
import type { Op } from "../../ops/op.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";

export const scanLinear = {
  name: "linear",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T> {
    const { rank, size } = call.core;
    let result: unknown = ownAccumulator(data);
    if (rank > 0) result = combine(op, result, await collRecvValue(call, rank - 1, 0), false, { rank, call: call.name }, rank - 1);
    if (rank < size - 1) await collSendValue(call, rank + 1, 0, result);
    return result as T;
  },
};
