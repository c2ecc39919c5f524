/**
 * Neighbourhood collectives on a Cartesian topology (MPI_Neighbor_alltoall, MPI_Neighbor_allgather)
 * and their one algorithm, `linear` (MPICH `ineighbor_alltoall_allcomm_sched_linear`): every
 * receive and every send is posted at once, one round, 2 * ndims messages each way per rank, one
 * item each; nothing to or from PROC_NULL. Any grid, periodic or not.
 *
 * Neighbours come in MPI's order: for each dimension d, the negative (index 2d) then the positive
 * (index 2d + 1) direction. The step of a message is the direction it travels in, so a rank
 * receives from its negative neighbour on step 2d + 1 (what that neighbour sent forward) and from
 * its positive neighbour on step 2d. When both neighbours are one rank (a periodic dimension of
 * extent 2) or this rank itself (extent 1) the two messages still differ by step:
 * ```
 * dims [2] periodic:   rank 0 --(step 1: items[1])--> rank 1   lands in rank 1's result[0]
 *                      rank 0 --(step 0: items[0])--> rank 1   lands in rank 1's result[1]
 * ```
 * The traffic is a collective on the communicator's collective context, so it never matches user
 * point-to-point messages.
 * Internal to the runtime, not part of its API.
 */
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { PROC_NULL } from "../../constants.ts";
import { badArgument } from "../../errors.ts";
import type { IncomingMessage } from "../../matching/matcher.ts";
import type { EncodedPayload } from "../../wire/codec.ts";
import { collective } from "../collective.ts";
import { collRecv, collSend, type CollectiveCall } from "../messages.ts";
import { decodeMessage, encodeForSend } from "../../core/payload.ts";

/** Sends `payloads[i]` to `neighbours[i]` and returns what each neighbour sent back this way. */
async function exchange<T>(call: CollectiveCall, neighbours: readonly number[], payloads: readonly EncodedPayload[]): Promise<(T | undefined)[]> {
  // Receives first, so that no message waits in the unexpected queue longer than it must.
  const received = neighbours.map((peer, index): Promise<IncomingMessage> | undefined =>
    peer === PROC_NULL ? undefined : collRecv(call, peer, index ^ 1),
  );
  const sent = neighbours.map((peer, index) => collSend(call, peer, index, payloads[index]!));
  const messages = await Promise.all(received);
  await Promise.all(sent);
  return messages.map((message) => (message === undefined ? undefined : decodeMessage<T>(call.core, call.name, message)));
}

export const neighborAlltoallLinear = {
  name: "linear",
  canRun: (): true => true,
  run<T>(call: CollectiveCall, neighbours: readonly number[], payloads: readonly EncodedPayload[]): Promise<(T | undefined)[]> {
    return exchange<T>(call, neighbours, payloads);
  },
};

export const neighborAllgatherLinear = {
  name: "linear",
  canRun: (): true => true,
  run<T>(call: CollectiveCall, neighbours: readonly number[], payload: EncodedPayload): Promise<(T | undefined)[]> {
    return exchange<T>(call, neighbours, neighbours.map(() => payload));
  },
};

const alltoallAlgorithms = { linear: neighborAlltoallLinear };
const allgatherAlgorithms = { linear: neighborAllgatherLinear };

/**
 * MPI_Neighbor_alltoall: `items[i]` goes to `neighbours[i]`; entry i of the result is what
 * `neighbours[i]` sent this way, `undefined` for PROC_NULL. Checks and encodes (copies) synchronously, so a
 * bad call throws before anything is sent and `items` may be changed as soon as it returns.
 */
export function neighborAlltoall<T>(core: CommCore, neighbours: readonly number[], items: readonly T[], call: CollectiveCallName): Promise<(T | undefined)[]> {
  let payloads: EncodedPayload[];
  const plan = () => {
    if (!Array.isArray(items) || items.length !== neighbours.length) {
      throw badArgument(
        { rank: core.rank, call },
        "items",
        items,
        `an array of ${neighbours.length} items (2 per dimension: negative, then positive direction)`,
      );
    }
    payloads = items.map((item) => encodeForSend(core, call, item));
    return { table: "neighborAlltoall", input: { size: core.size }, algorithms: alltoallAlgorithms } as const;
  };
  return collective(core, call, plan, (algorithm, running) => algorithm.run<T>(running, neighbours, payloads));
}

/** MPI_Neighbor_allgather: `item` goes to every neighbour; entry i is `neighbours[i]`'s item. */
export function neighborAllgather<T>(core: CommCore, neighbours: readonly number[], item: T, call: CollectiveCallName): Promise<(T | undefined)[]> {
  let payload: EncodedPayload;
  const plan = () => {
    payload = encodeForSend(core, call, item);
    return { table: "neighborAllgather", input: { size: core.size }, algorithms: allgatherAlgorithms } as const;
  };
  return collective(core, call, plan, (algorithm, running) => algorithm.run<T>(running, neighbours, payload));
}
