import type { Op } from "../../ops/op.ts";
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { badArgument } from "../../errors.ts";
import { isTypedArray } from "../../wire/typed-array.ts";
import { collective } from "../collective.ts";
import { checkCounts, checkLength, countsDigest } from "../counts.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import { blockStarts, type Vector } from "./blocks.ts";
import { reduceScatterRecursiveHalving } from "./recursive-halving.ts";
import { reduceScatterRing } from "./ring.ts";
import { reduceScatterViaReduce } from "./via-reduce.ts";

export const reduceScatterAlgorithms = {
  ring: reduceScatterRing,
  "recursive-halving": reduceScatterRecursiveHalving,
  "via-reduce": reduceScatterViaReduce,
};

/**
 * MPI_Reduce_scatter: `op` element-wise over every rank's vector (same kind and length n on every
 * rank), then rank i keeps block i: `counts[i]` elements (every rank passes the same counts, which
 * add up to n), or without counts floor(n / p) elements, one more on the first n % p ranks
 * (MPI_Reduce_scatter_block's equal blocks, as near as n allows).
 */
export function reduceScatter<T extends Vector>(core: CommCore, data: T, op: unknown, counts: readonly number[] | undefined, call: CollectiveCallName): Promise<T> {
  const plan = () => {
    const site = { rank: core.rank, call };
    if (!isTypedArray(data) && !Array.isArray(data)) {
      throw badArgument(site, "data", data, "a typed array or an array (reduced element-wise)");
    }
    const resolved = resolveOp(core, call, op, data);
    const starts = counts === undefined ? Array.from(blockStarts(data.length, core.size)) : checkCounts(site, "counts", counts, core.size);
    checkLength(site, "data", data, starts[core.size]!, "the sum of counts");
    const digest = countsDigest(starts);
    return { table: "reduceScatter", input: reductionInput(core, data, resolved), algorithms: reduceScatterAlgorithms, op: resolved, data, starts, digest } as const;
  };
  return collective(core, call, plan, (algorithm, running, { op: resolved, starts, digest }) => algorithm.run(running, data, resolved, starts, digest));
}
