import { ANY_TAG, PROC_NULL } from "../constants.ts";
import { assertUsable, holdWhilePending, type CommCore } from "../core/comm-core.ts";
import { operationsInProgress } from "../engine/operations.ts";
import { asCallError } from "../engine/peer-finalized.ts";
import { recordSlice, traceNow, tracing } from "../comm-trace/recorder.ts";
import { sourceArg, tagArg } from "../comm-trace/args.ts";
import { checkRecvTag, checkSource } from "./validate.ts";

/** The envelope of a message that has arrived and not yet been received. */
export interface ProbeStatus {
  source: number;
  tag: number;
  /** Size of the encoded payload in bytes (the raw bytes, for a typed array). */
  bytes: number;
}

const NULL_STATUS: ProbeStatus = { source: PROC_NULL, tag: ANY_TAG, bytes: 0 };

export function startProbe(core: CommCore, source: number, tag: number): Promise<ProbeStatus> {
  assertUsable(core, "probe");
  checkSource(core, "probe", source);
  checkRecvTag(core, "probe", tag);
  if (source === PROC_NULL) return Promise.resolve(NULL_STATUS);
  const operation = operationsInProgress.begin("probe", core.p2pContext, core.size, source, tag);
  const startUs = tracing ? traceNow() : 0;
  return holdWhilePending(core, core.engine.probe(core.p2pContext, { source, tag })).then(
    (message) => {
      operationsInProgress.end(operation);
      const status = { source: message.source, tag: message.tag, bytes: message.payload.byteLength };
      if (tracing) recordSlice("probe", startUs, { peer: status.source, tag: status.tag, bytes: status.bytes, comm: core.p2pContext, source: sourceArg(source), requestedTag: tagArg(tag) });
      return status;
    },
    (error: unknown) => {
      operationsInProgress.end(operation);
      throw asCallError(error, { rank: core.rank, call: "probe" });
    },
  );
}

export function checkProbe(core: CommCore, source: number, tag: number): ProbeStatus | undefined {
  assertUsable(core, "iprobe");
  checkSource(core, "iprobe", source);
  checkRecvTag(core, "iprobe", tag);
  if (source === PROC_NULL) return NULL_STATUS;
  const message = core.engine.iprobe(core.p2pContext, { source, tag });
  return message === undefined ? undefined : { source: message.source, tag: message.tag, bytes: message.payload.byteLength };
}
