/**
 * The pass around the ring that the ring allgathers share (MPICH's allgather_intra_ring and
 * allgatherv_intra_ring walk the same one), written once here: p - 1 steps; in step k every rank
 * sends to its right neighbour the block it received in step k - 1 (its own block first),
 * forwarded as it came, never re-encoded, and receives from its left neighbour the block of rank
 * (rank - k - 1) mod p. What a block becomes on arrival is the algorithm's.
 *
 * ```
 * p = 4, step 0: 0->1 (b0) 1->2 (b1) 2->3 (b2) 3->0 (b3)
 *        step 1: 0->1 (b3) 1->2 (b0) 2->3 (b1) 3->0 (b2)  ...
 * ```
 * @internal
 */
import type { IncomingMessage } from "../../matching/matcher.ts";
import type { EncodedPayload } from "../../wire/codec.ts";
import { asPayload, collRecv, collSend, type CollectiveCall } from "../messages.ts";

/**
 * Runs the pass with `own` as this rank's block; `arrived(owner, message)` gets each other rank's
 * block as it arrives, after the step's send has gone (so a throw there ends the pass cleanly).
 */
export async function ringPass(call: CollectiveCall, own: EncodedPayload, arrived: (owner: number, message: IncomingMessage) => void): Promise<void> {
  const { rank, size } = call.core;
  const right = (rank + 1) % size;
  const left = (rank - 1 + size) % size;
  let outgoing = own;
  for (let step = 0; step < size - 1; step++) {
    const sent = collSend(call, right, step, outgoing);
    const message = await collRecv(call, left, step);
    await sent;
    arrived((rank - step - 1 + size) % size, message);
    outgoing = asPayload(message);
  }
}
