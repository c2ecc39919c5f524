import type { Op } from "../../ops/op.ts";
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { badArgument } from "../../errors.ts";
import { isTypedArray } from "../../wire/typed-array.ts";
import { collective } from "../collective.ts";
import { reductionInput, resolveOp } from "../reduction-args.ts";
import type { Vector } from "./blocks.ts";
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
 * rank), then rank i keeps block i: floor(n / p) elements, one more on the first n % p ranks.
 */
export function reduceScatter<T extends Vector>(core: CommCore, data: T, op: unknown, call: CollectiveCallName): Promise<T> {
  const plan = () => {
    if (!isTypedArray(data) && !Array.isArray(data)) {
      throw badArgument({ rank: core.rank, call }, "data", data, "a typed array or an array (reduced element-wise)");
    }
    const resolved = resolveOp(core, call, op, data);
    return { table: "reduceScatter", input: reductionInput(core, data, resolved), algorithms: reduceScatterAlgorithms, op: resolved, data } as const;
  };
  return collective(core, call, plan, (algorithm, running, { op: resolved }) => algorithm.run(running, data, resolved));
}
