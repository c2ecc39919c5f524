/**
 * Pairwise-exchange alltoallv (Open MPI `alltoallv_intra_pairwise`): p - 1 steps; in step k a rank
 * sends its sendCounts[rank + k] elements for rank + k and receives rank - k's block for it (mod p),
 * so every step is a permutation and no rank is flooded; each element crosses the network once.
 * Each received block is checked against this rank's recvCounts for its sender (a disagreement is
 * ERR_COLL_MISMATCH naming both ranks). Any p.
 * ```
 * p = 3, step 1: 0->1 1->2 2->0   step 2: 0->2 1->0 2->1
 * ```
 */
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import type { BlockStarts } from "../counts.ts";
import { collRecv, collSend, type CollectiveCall } from "../messages.ts";
import { allocateLike } from "../typed-blocks.ts";
import { NO_DIGEST, place, receivedVectorBlock, vectorBlock } from "../vector-blocks.ts";

export const alltoallvPairwise = {
  name: "pairwise",
  canRun: (): true => true,
  async run<T extends AnyTypedArray>(call: CollectiveCall, data: T, sendStarts: BlockStarts, recvStarts: BlockStarts): Promise<T> {
    const { rank, size } = call.core;
    const result = allocateLike(data, recvStarts[size]!);
    place(result, data.subarray(sendStarts[rank]!, sendStarts[rank + 1]!), recvStarts[rank]!);
    for (let step = 1; step < size; step++) {
      const dest = (rank + step) % size;
      const source = (rank - step + size) % size;
      const sent = collSend(call, dest, step, vectorBlock(data, sendStarts[dest]!, sendStarts[dest + 1]!, NO_DIGEST));
      const length = recvStarts[source + 1]! - recvStarts[source]!;
      const block = receivedVectorBlock(call, await collRecv(call, source, step), { owner: source, like: data, length, lengthFrom: { argument: "recvCounts", index: source }, digest: NO_DIGEST });
      place(result, block, recvStarts[source]!);
      await sent;
    }
    return result as T;
  },
};
