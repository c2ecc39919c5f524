import { ANY_TAG, PROC_NULL } from "../constants.ts";
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { decodeMessage } from "../core/payload.ts";
import { operationsInProgress, type OperationInProgress } from "../engine/operations.ts";
import { recordReceive, recordSlice, traceNow, tracing } from "../comm-trace/recorder.ts";
import { sourceArg, tagArg } from "../comm-trace/args.ts";
import { checkRecvTag, checkSource } from "./validate.ts";

/** A received message with its envelope (MPI_Status). */
export interface Received<T = unknown> {
  data: T;
  /** The sender's rank in the communicator (PROC_NULL for a receive from PROC_NULL). */
  source: number;
  tag: number;
}

/** Checks the arguments synchronously, then waits for the matching message and decodes it. */
export function startRecv<T>(core: CommCore, call: string, source: number, tag: number): Promise<Received<T>> {
  assertUsable(core, call);
  checkSource(core, call, source);
  checkRecvTag(core, call, tag);
  if (source === PROC_NULL) return Promise.resolve({ data: undefined as T, source: PROC_NULL, tag: ANY_TAG });
  const operation = operationsInProgress.begin(call, core.p2pContext, core.size, source, tag, { request: call === "irecv" });
  if (tracing) return tracedRecv(core, call, source, tag, operation);
  return core.engine.receive(core.p2pContext, { source, tag }).then((message) => {
    operationsInProgress.end(operation);
    return { data: decodeMessage<T>(core, call, message), source: message.source, tag: message.tag };
  });
}

/**
 * `startRecv` with its slices. A blocking receive's slice spans the wait for the message (sendrecv
 * makes its own, around both halves). A nonblocking one gets two: `irecv` for the call, and
 * `irecv matched` when its message is taken, so that slices on a rank's track stay nested (the
 * request completes while the rank is in some other call, usually the `wait`).
 */
function tracedRecv<T>(core: CommCore, call: string, source: number, tag: number, operation: OperationInProgress): Promise<Received<T>> {
  const startUs = traceNow();
  const received = core.engine.receive(core.p2pContext, { source, tag }).then((message: IncomingMessage) => {
    operationsInProgress.end(operation);
    const matchedUs = traceNow();
    const bytes = message.payload.byteLength;
    recordReceive(core.group[message.source]!, core.p2pContext, message.tag, bytes);
    try {
      return { data: decodeMessage<T>(core, call, message), source: message.source, tag: message.tag };
    } finally {
      const args = { peer: message.source, tag: message.tag, bytes, comm: core.p2pContext, source: sourceArg(source), requestedTag: tagArg(tag) };
      if (call === "irecv") recordSlice("irecv matched", matchedUs, args);
      else if (call !== "sendrecv") recordSlice(call, startUs, args);
    }
  });
  if (call === "irecv") recordSlice(call, startUs, { source: sourceArg(source), tag: tagArg(tag), comm: core.p2pContext });
  return received;
}
