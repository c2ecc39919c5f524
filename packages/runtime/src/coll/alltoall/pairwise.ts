/**
 * Pairwise-exchange alltoall (MPICH `alltoall_intra_pairwise_sendrecv_replace` order, Open MPI
 * `alltoall_intra_pairwise`): p - 1 steps; in step k a rank sends its item for rank + k and
 * receives from rank - k (mod p), so every step is a permutation and no rank is flooded. Each item
 * crosses the network once: bytes sent per rank = the sum of its p - 1 items, the minimum, which
 * makes it the choice for large items. Any p.
 * ```
 * p = 4, step 1: 0->1 1->2 2->3 3->0   step 2: 0->2 1->3 2->0 3->1   step 3: 0->3 1->0 2->1 3->2
 * ```
 */
import { copyForSelf } from "../../core/payload.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";

export const alltoallPairwise = {
  name: "pairwise",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, items: readonly T[]): Promise<T[]> {
    const { rank, size } = call.core;
    const result = new Array<T>(size);
    result[rank] = copyForSelf(call.core, call.name, items[rank]!);
    for (let step = 1; step < size; step++) {
      const sent = collSendValue(call, (rank + step) % size, step, items[(rank + step) % size]);
      const source = (rank - step + size) % size;
      result[source] = await collRecvValue<T>(call, source, step);
      await sent;
    }
    return result;
  },
};
