import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import { collective } from "../collective.ts";
import { checkCounts, checkLength, checkTypedArray, countsDigest } from "../counts.ts";
import { allgathervRing } from "./ring.ts";

export const allgathervAlgorithms = {
  ring: allgathervRing,
};

/**
 * MPI_Allgatherv: every rank gets one typed array of sum(counts) elements, rank i's `data` at the
 * sum of the counts before i. Every rank passes the same counts, and `data` of `counts[rank]` elements.
 */
export function allgatherv<T extends AnyTypedArray>(core: CommCore, data: T, counts: readonly number[], call: CollectiveCallName): Promise<T> {
  const plan = () => {
    const site = { rank: core.rank, call };
    checkTypedArray(site, "data", data);
    const starts = checkCounts(site, "counts", counts, core.size);
    checkLength(site, "data", data, starts[core.rank + 1]! - starts[core.rank]!, `counts[${core.rank}]`);
    const digest = countsDigest(starts);
    // bytes: the total, the same on every rank whose counts agree (a difference fails the call anyway).
    const bytes = starts[core.size]! * data.BYTES_PER_ELEMENT;
    return { table: "allgatherv", input: { size: core.size, bytes, typedArray: true }, algorithms: allgathervAlgorithms, data, starts, digest } as const;
  };
  return collective(core, call, plan, (algorithm, running, { starts, digest }) => algorithm.run(running, data, starts, digest));
}
