import { ANY_TAG, PROC_NULL } from "../constants.ts";
import { assertUsable, holdWhilePending, type CommCore } from "../core/comm-core.ts";
import { WITHDRAWN, type IncomingMessage, type Pattern } from "../matching/matcher.ts";
import { decodeMessage } from "../core/payload.ts";
import { operationsInProgress } from "../engine/operations.ts";
import { asCallError } from "../engine/peer-finalized.ts";
import { recordReceive, recordSlice, traceNow, tracing } from "../comm-trace/recorder.ts";
import { sourceArg, tagArg } from "../comm-trace/args.ts";
import { acknowledgeIfSynchronous } from "./sync-send.ts";
import { CANCELLED_STATUS, NULL_RECEIVE_STATUS, statusOf, type ReceiveHandle, type Status } from "./status.ts";
import { checkRecvTag, checkSource } from "./validate.ts";

/** A received message with its envelope (MPI_Status). */
export interface Received<T = unknown> {
  data: T;
  /** The sender's rank in the communicator (PROC_NULL for a receive from PROC_NULL). */
  source: number;
  tag: number;
}

/** A receive in flight: the message it takes (`undefined` if cancelled, or from PROC_NULL) and its handle. */
export interface PendingReceive {
  readonly message: Promise<IncomingMessage | undefined>;
  readonly handle: ReceiveHandle;
}

/**
 * Checks the arguments synchronously, then posts the receive. It counts as pending on the
 * communicator (a `free` waits for it); once matched, a synchronous send's sender is told, and the
 * handle's status is set. Every receive goes through here: recv, irecv, sendrecv, recvInto.
 */
export function postReceive(core: CommCore, call: string, source: number, tag: number): PendingReceive {
  assertUsable(core, call);
  checkSource(core, call, source);
  checkRecvTag(core, call, tag);
  if (source === PROC_NULL) return { message: Promise.resolve(undefined), handle: new PostedReceive(core, { source, tag }, NULL_RECEIVE_STATUS) };
  const operation = operationsInProgress.begin(call, core.p2pContext, core.size, source, tag, { request: call.startsWith("i") });
  const startUs = tracing ? traceNow() : 0;
  // Its pattern object identifies this receive to the matcher, should it be cancelled.
  const handle = new PostedReceive(core, { source, tag });
  const message = core.engine.receive(core.p2pContext, handle.pattern).then(
    (message): IncomingMessage | undefined => {
      operationsInProgress.end(operation);
      if (message === WITHDRAWN) {
        handle.matched(CANCELLED_STATUS);
        return undefined;
      }
      handle.matched(statusOf(message));
      acknowledgeIfSynchronous(core, message);
      if (tracing) traceReceive(core, call, source, tag, message, startUs);
      return message;
    },
    (error: unknown) => {
      operationsInProgress.end(operation);
      handle.matched(undefined);
      throw asCallError(error, { rank: core.rank, call });
    },
  );
  holdWhilePending(core, message);
  if (tracing && call.startsWith("i")) recordSlice(call, startUs, { source: sourceArg(source), tag: tagArg(tag), comm: core.p2pContext });
  return { message, handle };
}

/**
 * A posted receive's status (once matched) and withdrawal. A class on purpose: an object literal
 * with a getter gets a hidden class of its own at every evaluation (its accessor holds that call's
 * closure), and those live in the old generation, where the dead ones keep each receive's objects
 * alive through scavenges until a full collection, and scavenges grow long (figures in the
 * commit that made this a class).
 */
class PostedReceive implements ReceiveHandle {
  readonly #core: CommCore;
  readonly pattern: Pattern;
  #status: Status | undefined;
  #matched: boolean;

  constructor(core: CommCore, pattern: Pattern, status?: Status) {
    this.#core = core;
    this.pattern = pattern;
    this.#status = status;
    this.#matched = status !== undefined;
  }

  get status(): Status | undefined {
    return this.#status;
  }

  /** The receive is over: matched (`status`), withdrawn (CANCELLED_STATUS) or failed (`undefined`). */
  matched(status: Status | undefined): void {
    this.#matched = true;
    this.#status = status;
  }

  cancel(): boolean {
    return !this.#matched && this.#core.engine.matcher.withdrawReceive(this.#core.p2pContext, this.pattern);
  }
}

/**
 * `handle`'s status, without a withdrawal: for a receive inside a call that cannot be cancelled
 * (isendrecv). A class for the reason given at PostedReceive.
 */
export function uncancellable(handle: ReceiveHandle): ReceiveHandle {
  return new UncancellableReceive(handle);
}

class UncancellableReceive implements ReceiveHandle {
  readonly #handle: ReceiveHandle;

  constructor(handle: ReceiveHandle) {
    this.#handle = handle;
  }

  get status(): Status | undefined {
    return this.#handle.status;
  }

  cancel(): boolean {
    return false;
  }
}

/**
 * The slices of a receive. A blocking receive's slice spans the wait for the message (sendrecv
 * makes its own, around both halves). A nonblocking one gets two: the call itself, and
 * `<call> matched` when its message is taken, so that slices on a rank's track stay nested (the
 * request completes while the rank is in some other call, usually the `wait`).
 */
function traceReceive(core: CommCore, call: string, source: number, tag: number, message: IncomingMessage, startUs: number): void {
  // Before the receive is recorded: its flow must end inside the `matched` slice.
  const matchedUs = traceNow();
  const bytes = message.payload.byteLength;
  recordReceive(core.group[message.source]!, core.p2pContext, message.tag, bytes);
  const args = { peer: message.source, tag: message.tag, bytes, comm: core.p2pContext, source: sourceArg(source), requestedTag: tagArg(tag) };
  if (call.startsWith("i")) recordSlice(`${call} matched`, matchedUs, args);
  else if (call !== "sendrecv") recordSlice(call, startUs, args);
}

/** Receives and decodes the matching message (undefined data for PROC_NULL or a cancelled receive). */
export function decodeReceived<T>(core: CommCore, call: string, pending: PendingReceive): Promise<Received<T>> {
  return pending.message.then((message) => {
    if (message === undefined) return { data: undefined as T, source: PROC_NULL, tag: ANY_TAG };
    return { data: decodeMessage<T>(core, call, message), source: message.source, tag: message.tag };
  });
}

/** Checks the arguments synchronously, then waits for the matching message and decodes it. */
export function startRecv<T>(core: CommCore, call: string, source: number, tag: number): Promise<Received<T>> {
  return decodeReceived<T>(core, call, postReceive(core, call, source, tag));
}
