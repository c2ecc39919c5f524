/**
 * Dissemination barrier (Hensgen, Finkel & Manber 1988; MPICH `barrier_intra_dissemination`).
 *
 * ceil(log2 p) rounds; in round k every rank sends an empty message to (rank + 2^k) mod p and waits
 * for one from (rank - 2^k) mod p. No rank is special and any p works, powers of two or not.
 * ```
 * p = 5   round 0: 0->1 1->2 2->3 3->4 4->0
 *         round 1: 0->2 1->3 2->4 3->0 4->1
 *         round 2: 0->4 1->0 2->1 3->2 4->3
 * ```
 * Messages moved: p * ceil(log2 p), all empty.
 */
import { collRecv, collSend, EMPTY_PAYLOAD, type CollectiveCall } from "../messages.ts";

export const barrierDissemination = {
  name: "dissemination",
  canRun: (): true => true,
  async run(call: CollectiveCall): Promise<void> {
    const { rank, size } = call.core;
    for (let distance = 1, round = 0; distance < size; distance *= 2, round++) {
      const sent = collSend(call, (rank + distance) % size, round, EMPTY_PAYLOAD);
      await collRecv(call, (rank - distance + size) % size, round);
      await sent;
    }
  },
};
