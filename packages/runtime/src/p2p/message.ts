/**
 * Matched probes (MPI_Mprobe, MPI_Improbe, MPI_Mrecv; mpi4py's `comm.mprobe` and `MPI.Message`):
 * the probe takes the message out of matching, so no other receive can get it, and the handle it
 * returns receives exactly that message. What a threaded MPI program needs to probe then receive
 * without another receive taking the message in between.
 */
import { PROC_NULL } from "../constants.ts";
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import { decodeMessage } from "../core/payload.ts";
import { notUsable } from "../errors.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { recordReceive, tracing } from "../comm-trace/recorder.ts";
import { postReceive } from "./recv.ts";
import { NULL_RECEIVE_STATUS, statusOf, type Status } from "./status.ts";
import { acknowledgeIfSynchronous } from "./sync-send.ts";
import { checkRecvTag, checkSource } from "./validate.ts";

/**
 * A message taken by a matched probe (MPI_Message; mpi4py's `MPI.Message`): its `status` says who
 * sent it, with which tag and how large it is, and `recv()` gives its data, once. A probe from
 * PROC_NULL gives a handle whose `recv()` resolves with `undefined` (MPI_MESSAGE_NO_PROC).
 *
 * You get one from `comm.mprobe(source, tag)` or `comm.improbe(source, tag)`.
 *
 * @example
 * ```ts
 * const message = await world.mprobe(ANY_SOURCE, 7);
 * const data = await message.recv();   // exactly the message the probe saw
 * ```
 */
export class Message<T = unknown> {
  /** The envelope of the message (count: elements of a typed array, else 1). */
  readonly status: Status;
  readonly #core: CommCore;
  #message: IncomingMessage | undefined;
  #received = false;

  /** @internal Made by `mprobe` and `improbe`. */
  constructor(core: CommCore, message: IncomingMessage | undefined) {
    this.#core = core;
    this.#message = message;
    this.status = message === undefined ? NULL_RECEIVE_STATUS : statusOf(message);
  }

  /** Receives the message (MPI_Mrecv): resolves with its data. A second `recv()` is ERR_STATE. */
  async recv(): Promise<T> {
    if (this.#received) throw notUsable({ rank: this.#core.rank, call: "recv" }, "this message has already been received (a Message is received once)");
    this.#received = true;
    const message = this.#message;
    this.#message = undefined;
    return message === undefined ? (undefined as T) : decodeMessage<T>(this.#core, "recv", message);
  }
}

/** Waits for a matching message and takes it out of matching (MPI_Mprobe). */
export function startMprobe<T>(core: CommCore, source: number, tag: number): Promise<Message<T>> {
  const pending = postReceive(core, "mprobe", source, tag);
  return pending.message.then((message) => new Message<T>(core, message));
}

/** Takes a matching message that has already arrived (MPI_Improbe), or `undefined`. */
export function checkMprobe<T>(core: CommCore, source: number, tag: number): Message<T> | undefined {
  const call = "improbe";
  assertUsable(core, call);
  checkSource(core, call, source);
  checkRecvTag(core, call, tag);
  if (source === PROC_NULL) return new Message<T>(core, undefined);
  const pattern = { source, tag };
  if (core.engine.iprobe(core.p2pContext, pattern) === undefined) return undefined;
  const message = core.engine.matcher.take(core.p2pContext, pattern)!;
  acknowledgeIfSynchronous(core, message);
  if (tracing) recordReceive(core.group[message.source]!, core.p2pContext, message.tag, message.payload.byteLength);
  return new Message<T>(core, message);
}
