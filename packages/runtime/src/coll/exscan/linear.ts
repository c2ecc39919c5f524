/**
 * Linear (chain) exclusive scan (Open MPI `exscan_intra_linear`): rank r receives
 * x0 op ... op x(r-1) from r - 1 (that is its result), combines its own data behind a copy and
 * passes it to r + 1. p - 1 rounds in sequence, n bytes per link, one combine per rank: least
 * traffic, most latency. Any op, in rank order; any p. Rank 0 gets `undefined`; the last rank
 * combines nothing, so it checks the shape of what it got against its own data.
 * ```
 * 0 -(x0)-> 1 -(x0.x1)-> 2 -(x0.x1.x2)-> 3
 * ```
 */
import { combine, ownAccumulator } from "../../ops/combine.ts";
import type { Op } from "../../ops/op.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";
import { checkSameShape } from "../same-shape.ts";

export const exscanLinear = {
  name: "linear",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, op: Op): Promise<T | undefined> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    if (rank === 0) {
      if (size > 1) await collSendValue(call, 1, 0, data);
      return undefined;
    }
    const prefix = await collRecvValue<T>(call, rank - 1, 0);
    if (rank < size - 1) {
      await collSendValue(call, rank + 1, 0, combine(op, ownAccumulator(data), prefix, false, site, rank - 1));
    } else {
      checkSameShape(op, data, prefix, site, rank - 1);
    }
    return prefix;
  },
};
