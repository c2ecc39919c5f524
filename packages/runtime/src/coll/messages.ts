/**
 * The point-to-point layer collectives are written with: messages on the communicator's collective
 * context, never on user tags, stamped with the collective's id and sequence number.
 * @internal
 */
import type { CommCore } from "../comm/core.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { PayloadFormat } from "../wire/header.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { CollectiveId, type CollectiveName } from "./collective-ids.ts";

/** One collective call in progress on one rank. */
export interface CollectiveCall {
  readonly core: CommCore;
  readonly name: CollectiveName;
  readonly sequence: number;
}

/** Starts a collective call: every rank numbers its collective calls on a communicator alike. */
export function beginCollective(core: CommCore, name: CollectiveName): CollectiveCall {
  core.engine.assertActive(name, core.rank);
  core.collSequence = (core.collSequence + 1) >>> 0;
  return { core, name, sequence: core.collSequence };
}

export const EMPTY_PAYLOAD: EncodedPayload = { format: PayloadFormat.TYPED_ARRAY, elementKind: 1, bytes: Buffer.alloc(0) };

export function collSend(call: CollectiveCall, dest: number, tag: number, payload: EncodedPayload): Promise<void> {
  const { core } = call;
  return core.engine.post(
    core.group[dest]!,
    { context: core.collContext, source: core.rank, tag, collective: CollectiveId[call.name], sequence: call.sequence },
    payload,
  );
}

export function collRecv(call: CollectiveCall, source: number, tag: number): Promise<IncomingMessage> {
  return call.core.engine.receive(call.core.collContext, { source, tag });
}
