import { ANY_TAG, PROC_NULL } from "../constants.ts";
import { TsmpiError } from "../errors.ts";
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { decodeMessage } from "../core/payload.ts";
import { operationsInProgress } from "../engine/operations.ts";
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
  const operation = operationsInProgress.begin(call, core.p2pContext, core.size, source, tag);
  return core.engine.receive(core.p2pContext, { source, tag }).then((message) => {
    operationsInProgress.end(operation);
    return { data: decodeMessage<T>(core, call, message), source: message.source, tag: message.tag };
  });
}
