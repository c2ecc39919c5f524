/**
 * The one algorithm of the neighbourhood collectives, `linear` (MPICH
 * `ineighbor_alltoall_allcomm_sched_linear`): every receive and every send is posted at once, one
 * round, one message to each out-neighbour and one from each in-neighbour; nothing to or from
 * PROC_NULL. Any topology: the neighbourhood says who and on which step (neighbourhood.ts).
 * ```
 * dims [2] periodic:   rank 0 --(step 1: items[1])--> rank 1   lands in rank 1's result[0]
 *                      rank 0 --(step 0: items[0])--> rank 1   lands in rank 1's result[1]
 * ```
 * The traffic is a collective on the communicator's collective context, so it never matches user
 * point-to-point messages.
 * Internal to the runtime, not part of its API.
 */
import { PROC_NULL } from "../../constants.ts";
import type { IncomingMessage } from "../../matching/matcher.ts";
import type { EncodedPayload } from "../../wire/codec.ts";
import { collRecv, collSend, type CollectiveCall } from "../messages.ts";
import type { Neighbourhood } from "./neighbourhood.ts";

/**
 * Sends `payloads[i]` to out-neighbour i and returns the message of each in-neighbour, `undefined`
 * for PROC_NULL.
 */
async function exchange(call: CollectiveCall, neighbourhood: Neighbourhood, payloads: readonly EncodedPayload[]): Promise<(IncomingMessage | undefined)[]> {
  // Receives first, so that no message waits in the unexpected queue longer than it must.
  const received = neighbourhood.sources.map(({ rank, step }): Promise<IncomingMessage> | undefined =>
    rank === PROC_NULL ? undefined : collRecv(call, rank, step),
  );
  const sent = neighbourhood.destinations.map(({ rank, step }, index) => collSend(call, rank, step, payloads[index]!));
  const messages = await Promise.all(received);
  await Promise.all(sent);
  return messages;
}

export const neighborLinear = {
  name: "linear",
  canRun: (): true => true,
  run: exchange,
};
