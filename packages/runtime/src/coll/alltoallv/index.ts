import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { badCount } from "../../errors.ts";
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import { collective } from "../collective.ts";
import { checkCounts, checkLength, checkTypedArray } from "../counts.ts";
import { alltoallvPairwise } from "./pairwise.ts";

export const alltoallvAlgorithms = {
  pairwise: alltoallvPairwise,
};

/**
 * MPI_Alltoallv: `data` holds this rank's blocks for ranks 0..p-1 in order, `sendCounts[i]`
 * elements for rank i; the result holds the blocks from ranks 0..p-1 in order, `recvCounts[j]`
 * elements from rank j, which must be rank j's `sendCounts[rank]`.
 */
export function alltoallv<T extends AnyTypedArray>(core: CommCore, data: T, sendCounts: readonly number[], recvCounts: readonly number[], call: CollectiveCallName): Promise<T> {
  const plan = () => {
    const site = { rank: core.rank, call };
    const { rank, size } = core;
    checkTypedArray(site, "data", data);
    const sendStarts = checkCounts(site, "sendCounts", sendCounts, size);
    const recvStarts = checkCounts(site, "recvCounts", recvCounts, size);
    checkLength(site, "data", data, sendStarts[size]!, "the sum of sendCounts");
    if (sendCounts[rank] !== recvCounts[rank]) {
      throw badCount(site, "recvCounts", `this rank sends itself sendCounts[${rank}] = ${sendCounts[rank]} elements but recvCounts[${rank}] is ${recvCounts[rank]}`);
    }
    // Only p: each rank's counts are its own.
    return { table: "alltoallv", input: { size }, algorithms: alltoallvAlgorithms, data, sendStarts, recvStarts } as const;
  };
  return collective(core, call, plan, (algorithm, running, { sendStarts, recvStarts }) => algorithm.run(running, data, sendStarts, recvStarts));
}
