/**
 * The point-to-point layer collectives are written with. Collective messages travel on the
 * communicator's collective context, never on user tags (Open MPI `coll_tags.h`), with a tag made
 * of the call's sequence number and the algorithm's step, so that several collectives in flight on
 * one communicator (nonblocking ones) never take each other's messages. Every message also carries
 * the collective's id and signature, which the communicator's monitor checks on arrival.
 * Internal to the runtime, not part of its API.
 */
import { setTimeout as delay } from "node:timers/promises";
import { asCallError, FINDER_GRACE_MS, PeerFinalized } from "../engine/peer-finalized.ts";
import { PROC_NULL } from "../constants.ts";
import { TsmpiError } from "../errors.ts";
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import type { Op } from "../ops/op.ts";
import { PayloadFormat } from "../wire/header.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { CollectiveId, operationOf, type CollectiveCallName, type CollectiveName } from "../core/collective-ids.ts";
import { packSignature } from "../core/signature.ts";
import { collectiveTag } from "../core/collective-tag.ts";
import { decodeMessage, encodeForSend } from "../core/payload.ts";

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
  /** Rejects when the call fails: the monitor found a mismatch, or another rank's call failed. */
  readonly failed: Promise<never>;
  /** Why the call failed, once it has: it then sends nothing more. */
  readonly failure: Error | undefined;
  fail(error: Error): void;
}

export interface CollectiveSpec {
  withoutSharedMemory: () => unknown;
  algorithm: string;
  root?: number | undefined;
  op?: Op | undefined;
  /** 1 + the typed-array kind every rank must pass (reductions), for the signature. */
  kind?: number | undefined;
}

/** A call's checked arguments, made into what runs it. */
export interface PreparedCollective<T> {
  spec: CollectiveSpec;
  body: (call: CollectiveCall) => Promise<T>;
}

/**
 * Runs one collective call: numbers it (synchronously, so nonblocking calls are numbered in the
 * order they were made), then `prepare`s it, which checks the arguments: a bad one is thrown here,
 * synchronously, and every other rank's call of that number fails too (core/collective-monitor.ts),
 * so the ranks stay in step; so does the report of an earlier call that returned here but failed
 * on another rank. Then lets the monitor check the call against messages already here,
 * runs the body and retires it; any failure reaches the other ranks the same way.
 */
export function runCollective<T>(core: CommCore, name: CollectiveCallName, prepare: () => PreparedCollective<T>): Promise<T> {
  assertUsable(core, name);
  core.collSequence = (core.collSequence + 1) >>> 0;
  const sequence = core.collSequence;
  let prepared: PreparedCollective<T>;
  try {
    const earlier = core.monitor.takeFailureAfterReturning(name);
    if (earlier !== undefined) throw earlier;
    prepared = prepare();
  } catch (error) {
    core.monitor.failed(sequence, error);
    throw error;
  }
  const { spec, body } = prepared;
  const call = new RunningCollective(core, name, sequence, spec);
  const inFlight = core.monitor.begin(call);
  const run = (async () => {
    try {
      // A call the monitor failed as it began (a notice or a message that was already here) does not run.
      if (call.failure !== undefined) throw call.failure;
      return await Promise.race([body(call), call.failed]);
    } catch (error) {
      // Ranks that finalized after failing an earlier call, which had returned here: that failure,
      // not the wait it left unanswerable, is what the program needs to hear of.
      const cause = error instanceof TsmpiError && error.code === "ERR_PEER_FINALIZED" ? core.monitor.takeFailureAfterReturning(name) : undefined;
      call.fail(cause ?? (error as Error));
      core.monitor.failed(sequence, call.failure ?? error);
      throw call.failure ?? error;
    } finally {
      core.monitor.end(call, inFlight);
    }
  })();
  return run;
}

/**
 * A class, not an object literal with a `failure` getter: such a literal gets a hidden class of
 * its own at every call (its accessor holds that call's closure), and those live in the old
 * generation, where the dead ones keep each call's objects alive through scavenges until a full
 * collection (see p2p/recv.ts, PostedReceive).
 */
class RunningCollective implements CollectiveCall {
  readonly core: CommCore;
  readonly name: CollectiveCallName;
  readonly operation: CollectiveName;
  readonly sequence: number;
  readonly root: number | undefined;
  readonly op: Op | undefined;
  readonly algorithm: string;
  readonly signature: number;
  readonly withoutSharedMemory: () => unknown;
  readonly failed: Promise<never>;
  #failure: Error | undefined;
  #reject!: (error: Error) => void;

  constructor(core: CommCore, name: CollectiveCallName, sequence: number, spec: CollectiveSpec) {
    this.core = core;
    this.name = name;
    this.operation = operationOf(name);
    this.sequence = sequence;
    this.root = spec.root;
    this.op = spec.op;
    this.algorithm = spec.algorithm;
    this.signature = packSignature(spec);
    this.withoutSharedMemory = spec.withoutSharedMemory;
    this.failed = new Promise<never>((_, reject) => (this.#reject = reject));
    this.failed.catch(() => undefined); // observed through the receives that race it
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  fail(error: Error): void {
    this.#failure ??= error;
    this.#reject(error);
  }
}

function tagOf(call: CollectiveCall, step: number): number {
  return collectiveTag(call.sequence, step);
}

export const EMPTY_PAYLOAD: EncodedPayload = { format: PayloadFormat.TYPED_ARRAY, elementKind: 1, bytes: Buffer.alloc(0) };

/** Sends an encoded payload to communicator rank `dest` as step `step` of `call`. */
export function collSend(call: CollectiveCall, dest: number, step: number, payload: EncodedPayload): Promise<void> {
  if (dest === PROC_NULL) return Promise.resolve();
  // A failed call sends nothing more: its messages could complete another rank's call wrongly.
  // Algorithms await a send after their next receive, which then rejects first: see collRecv.
  if (call.failure !== undefined) return handled(Promise.reject(call.failure));
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

/**
 * Receives step `step` of `call` from communicator rank `source`. When the call fails, every
 * receive and send an algorithm has started rejects at once, and an algorithm awaits only the
 * first: the others are marked handled here (the failure reaches the caller through the call).
 */
export function collRecv(call: CollectiveCall, source: number, step: number): Promise<IncomingMessage> {
  const message = call.core.engine.receive(call.core.collContext, { source, tag: tagOf(call, step) }).catch(async (error: unknown) => {
    if (error instanceof PeerFinalized) {
      // Messages must keep coming in meanwhile: the finder's notice is one.
      const grace = delay(FINDER_GRACE_MS);
      call.core.engine.pullUntil(grace);
      await grace;
    }
    throw asCallError(error, { rank: call.core.rank, call: call.name });
  });
  return handled(Promise.race([message, call.failed]));
}

/** Receives and decodes. Typed arrays arrive as views on a fresh buffer that the caller owns. */
export function collRecvValue<T>(call: CollectiveCall, source: number, step: number): Promise<T> {
  return handled(collRecv(call, source, step).then((message) => decodeMessage<T>(call.core, call.name, message)));
}

function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
