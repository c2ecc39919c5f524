/**
 * Synchronous sends (MPI_Ssend): the send completes only once a receive on the destination has
 * matched it. The message carries a nonzero id in its header's `signature` field (always 0 for
 * other point-to-point messages); the receiver, on matching it, sends an empty acknowledgement with
 * that id as tag on SYNC_ACK_CONTEXT, a context no communicator has, from its world rank. So the
 * handshake lives at the p2p layer and the transport carries it as any other message.
 */
import type { CommCore } from "../core/comm-core.ts";
import { encodePayload } from "../wire/codec.ts";
import type { IncomingMessage } from "../matching/matcher.ts";

/** Communicator contexts are 0 and up (core/context-id.ts); negative ones are the runtime's own. */
export const SYNC_ACK_CONTEXT = -16;

let lastId = 0;

/** A fresh id for a synchronous send of this process: 1..2^31-1, a valid tag. */
export function nextSyncId(): number {
  lastId = lastId === 0x7fff_ffff ? 1 : lastId + 1;
  return lastId;
}

/** Resolves once the receiver at `worldDest` has matched the synchronous send `id`. */
export function awaitAck(core: CommCore, worldDest: number, id: number): Promise<unknown> {
  return core.engine.receive(SYNC_ACK_CONTEXT, { source: worldDest, tag: id });
}

const EMPTY = encodePayload(null);

/** Tells the sender of a synchronous send that its message has been matched. */
export function acknowledgeIfSynchronous(core: CommCore, message: IncomingMessage): void {
  if (message.collective !== 0 || message.signature === 0) return;
  const envelope = { context: SYNC_ACK_CONTEXT, source: core.engine.worldRank, tag: message.signature, collective: 0, sequence: 0, signature: 0 };
  // An ack that cannot be sent means the job is going down; the fault handler reports that.
  core.engine.post(core.group[message.source]!, envelope, EMPTY).catch(() => {});
}
