/**
 * The point-to-point layer collectives are written with. Collective messages travel on the
 * communicator's collective context, never on user tags (Open MPI `coll_tags.h`), with a tag made
 * of the call's sequence number and the algorithm's step, so that several collectives in flight on
 * one communicator (nonblocking ones) never take each other's messages. Every message also carries
 * the collective's id and signature, which the communicator's monitor checks on arrival.
 * Internal to the runtime, not part of its API.
 */
import { PROC_NULL } from "../constants.ts";
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import type { Op } from "../ops/op.ts";
import { PayloadFormat } from "../wire/header.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { CollectiveId, operationOf, type CollectiveCallName, type CollectiveName } from "../core/collective-ids.ts";
import { packSignature } from "../core/signature.ts";
import { decodeMessage, encodeForSend } from "../core/payload.ts";

/** Steps per call: the tag's low 16 bits. */
const MAX_STEP = 0xffff;

/** One collective call in progress on one rank. */
export interface CollectiveCall {
  readonly core: CommCore;
  /** The call the user made (`ibcast`; an internal allreduce run by `split` is still `split`): errors name it. */
  readonly name: CollectiveCallName;
  /** The collective it runs, whose id its messages carry (`bcast` for `ibcast`). */
  readonly operation: CollectiveName;
  readonly sequence: number;
  readonly root: number | undefined;
  readonly op: Op | undefined;
  readonly algorithm: string;
  readonly signature: number;
  /**
   * The algorithm the selection table picks for this call without shared memory, for an algorithm
   * that finds at run time that it cannot have its shared region (every rank finds the same).
   */
  readonly withoutSharedMemory: () => unknown;
  /** Rejects when the monitor finds that another rank is in a different call. */
  readonly failed: Promise<never>;
  fail(error: Error): void;
}

export interface CollectiveSpec {
  name: CollectiveCallName;
  withoutSharedMemory: () => unknown;
  algorithm: string;
  root?: number;
  op?: Op;
}

/**
 * Runs one collective call: numbers it (synchronously, so nonblocking calls are numbered in the
 * order they were made), lets the monitor check it against messages already here, runs `body`
 * and retires it.
 */
export function runCollective<T>(core: CommCore, spec: CollectiveSpec, body: (call: CollectiveCall) => Promise<T>): Promise<T> {
  assertUsable(core, spec.name);
  core.collSequence = (core.collSequence + 1) >>> 0;
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined); // observed through the receives that race it
  const call: CollectiveCall = {
    core,
    name: spec.name,
    operation: operationOf(spec.name),
    sequence: core.collSequence,
    root: spec.root,
    op: spec.op,
    algorithm: spec.algorithm,
    signature: packSignature(spec),
    withoutSharedMemory: spec.withoutSharedMemory,
    failed,
    fail,
  };
  core.monitor.begin(call);
  const run = (async () => {
    try {
      return await Promise.race([body(call), failed]);
    } finally {
      core.monitor.end(call);
    }
  })();
  return run;
}

function tagOf(call: CollectiveCall, step: number): number {
  if (step < 0 || step > MAX_STEP) throw new Error(`collective step ${step} out of range`);
  return ((call.sequence & 0x7fff) << 16) | step;
}

export const EMPTY_PAYLOAD: EncodedPayload = { format: PayloadFormat.TYPED_ARRAY, elementKind: 1, bytes: Buffer.alloc(0) };

/** Sends an encoded payload to communicator rank `dest` as step `step` of `call`. */
export function collSend(call: CollectiveCall, dest: number, step: number, payload: EncodedPayload): Promise<void> {
  if (dest === PROC_NULL) return Promise.resolve();
  const { core } = call;
  return core.engine.post(
    core.group[dest]!,
    {
      context: core.collContext,
      source: core.rank,
      tag: tagOf(call, step),
      collective: CollectiveId[call.operation],
      sequence: call.sequence,
      signature: call.signature,
    },
    payload,
  );
}

/** Encodes `value` (ERR_SERIALIZE names the collective) and sends it. */
export function collSendValue(call: CollectiveCall, dest: number, step: number, value: unknown): Promise<void> {
  return collSend(call, dest, step, encodeForSend(call.core, call.name, value));
}

/** Encodes once for several sends of the same value. */
export function collEncode(call: CollectiveCall, value: unknown): EncodedPayload {
  return encodeForSend(call.core, call.name, value);
}

/** A received message's payload, ready to be sent on unchanged (tree and ring forwarding). */
export function asPayload(message: IncomingMessage): EncodedPayload {
  return { format: message.format, elementKind: message.elementKind, bytes: message.payload };
}

/** Receives step `step` of `call` from communicator rank `source`. */
export function collRecv(call: CollectiveCall, source: number, step: number): Promise<IncomingMessage> {
  return Promise.race([call.core.engine.receive(call.core.collContext, { source, tag: tagOf(call, step) }), call.failed]);
}

/** Receives and decodes. Typed arrays arrive as views on a fresh buffer that the caller owns. */
export async function collRecvValue<T>(call: CollectiveCall, source: number, step: number): Promise<T> {
  return decodeMessage<T>(call.core, call.name, await collRecv(call, source, step));
}
