import { PROC_NULL } from "../constants.ts";
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import { encodeForSend } from "../core/payload.ts";
import { checkDest, checkSendTag } from "./validate.ts";

/**
 * Checks the arguments and encodes the data synchronously (so a bad call throws before anything is
 * sent, and the caller may change `data` as soon as this returns), then queues the message.
 * Resolves once the transport holds it: an eager send, never waiting for the matching receive.
 */
export function startSend(core: CommCore, call: string, data: unknown, dest: number, tag: number): Promise<void> {
  return prepareSend(core, call, data, dest, tag)();
}

/**
 * The checking and encoding half of `startSend`; the returned function queues the message. Calls
 * that also receive (sendrecv) prepare first, so that a bad send argument leaves no receive posted.
 */
export function prepareSend(core: CommCore, call: string, data: unknown, dest: number, tag: number): () => Promise<void> {
  assertUsable(core, call);
  checkDest(core, call, dest);
  checkSendTag(core, call, tag);
  if (dest === PROC_NULL) return () => Promise.resolve();
  const payload = encodeForSend(core, call, data);
  const envelope = { context: core.p2pContext, source: core.rank, tag, collective: 0, sequence: 0, signature: 0 };
  return () => core.engine.post(core.group[dest]!, envelope, payload);
}
