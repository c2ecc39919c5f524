import { PROC_NULL } from "../constants.ts";
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import { encodeForSend } from "../core/payload.ts";
import { recordSend, recordSlice, traceNow, tracing } from "../comm-trace/recorder.ts";
import { operationsInProgress } from "../engine/operations.ts";
import { awaitAck, nextSyncId } from "./sync-send.ts";
import { asCallError } from "../engine/peer-finalized.ts";
import { checkDest, checkSendTag } from "./validate.ts";

/**
 * Checks the arguments and encodes the data synchronously (so a bad call throws before anything is
 * sent, and the caller may change `data` as soon as this returns), then queues the message.
 * Resolves once the transport holds it: an eager send, never waiting for the matching receive.
 */
export function startSend(core: CommCore, call: string, data: unknown, dest: number, tag: number): Promise<void> {
  if (tracing) return tracedSend(core, call, data, dest, tag);
  return prepareSend(core, call, data, dest, tag)();
}

/**
 * A synchronous send (MPI_Ssend): checked and encoded like `startSend`, and resolves only once a
 * receive on `dest` has matched the message (see sync-send.ts).
 */
export function startSyncSend(core: CommCore, call: string, data: unknown, dest: number, tag: number): Promise<void> {
  const startUs = tracing ? traceNow() : 0;
  const size = { bytes: 0 };
  const sent = prepareSend(core, call, data, dest, tag, size, true)();
  // Listed in the state report as waiting for `dest` (in its source field) to match it.
  if (dest !== PROC_NULL) operationsInProgress.track(sent, operationsInProgress.begin(call, core.p2pContext, core.size, dest, tag, { request: call === "issend" }));
  if (tracing) {
    const args = { peer: dest, tag, bytes: size.bytes, comm: core.p2pContext };
    if (call === "ssend") {
      const done = (): void => recordSlice(call, startUs, args);
      sent.then(done, done);
    } else recordSlice(call, startUs, args);
  }
  return sent;
}

/**
 * The checking and encoding half of `startSend`; the returned function queues the message. Calls
 * that also receive (sendrecv) prepare first, so that a bad send argument leaves no receive posted.
 * `size`, when given, is told the payload's encoded size (for the trace's slices).
 */
export function prepareSend(core: CommCore, call: string, data: unknown, dest: number, tag: number, size?: { bytes: number }, synchronous = false): () => Promise<void> {
  assertUsable(core, call);
  checkDest(core, call, dest);
  checkSendTag(core, call, tag);
  if (dest === PROC_NULL) return () => Promise.resolve();
  const payload = encodeForSend(core, call, data);
  const signature = synchronous ? nextSyncId() : 0;
  const envelope = { context: core.p2pContext, source: core.rank, tag, collective: 0, sequence: 0, signature };
  const to = core.group[dest]!;
  if (size !== undefined) size.bytes = payload.bytes.byteLength;
  return () => {
    // Counted here, when it is queued: the launcher pairs the k-th send with the k-th receive.
    if (tracing) recordSend(to, core.p2pContext, tag, payload.bytes.byteLength);
    if (!synchronous) return core.engine.post(to, envelope, payload);
    // Posted before the message goes, so that an ack from a receiver on this host is never early.
    const acked = awaitAck(core, to, signature).catch((error: unknown) => Promise.reject(asCallError(error, { rank: core.rank, call })));
    return Promise.all([core.engine.post(to, envelope, payload), acked]).then(() => undefined);
  };
}

/**
 * `startSend` with its slice: a blocking `send` until the transport holds the message, an `isend`
 * for the call itself (its completion is the `wait` that awaits it).
 */
function tracedSend(core: CommCore, call: string, data: unknown, dest: number, tag: number): Promise<void> {
  const startUs = traceNow();
  const size = { bytes: 0 };
  const sent = prepareSend(core, call, data, dest, tag, size)();
  const args = { peer: dest, tag, bytes: size.bytes, comm: core.p2pContext };
  if (call === "send") {
    const done = (): void => recordSlice(call, startUs, args);
    sent.then(done, done);
  } else {
    recordSlice(call, startUs, args);
  }
  return sent;
}
