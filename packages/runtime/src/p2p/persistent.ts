/**
 * Persistent requests (MPI_Send_init, MPI_Recv_init, MPI_Start, MPI_Startall; mpi4py's
 * `Prequest`): the arguments are checked once, and each `start()` runs the operation again. Between
 * starts the request is inactive, like any request whose completion has been reported.
 */
import { assertUsable, type CommCore } from "../core/comm-core.ts";
import { badArgument, notUsable } from "../errors.ts";
import { decodeReceived, postReceive } from "./recv.ts";
import { Request, requestInternals } from "./request.ts";
import { prepareSend } from "./send.ts";
import type { ReceiveHandle } from "./status.ts";
import { checkDest, checkRecvTag, checkSendTag, checkSource } from "./validate.ts";

interface Started<T> {
  promise: Promise<T>;
  receive?: ReceiveHandle;
}

/**
 * A request that can be started again and again (MPI's persistent request; mpi4py's `Prequest`).
 * It starts inactive; `start()` (or {@link startAll}) runs the operation once more, and it is
 * then waited for and tested like any {@link Request}: awaiting an inactive one resolves at once.
 *
 * You get one from `comm.sendInit(data, dest, tag)` and `comm.recvInit(source, tag)`.
 *
 * @example
 * ```ts
 * const recv = world.recvInit<number>(left, 1);
 * const send = world.sendInit(buffer, right, 1); // buffer's contents are read at each start
 * for (let step = 0; step < 10; step++) {
 *   startAll([recv, send]);
 *   const [got] = await waitAll([recv, send]);
 * }
 * ```
 */
/** Made by `comm.sendInit` and `comm.recvInit` (through PersistentRequest's static block). */
let persistentRequest: <T>(site: { rank: number; call: string }, run: () => Started<T>) => PersistentRequest<T>;

export class PersistentRequest<T = unknown> extends Request<T> {
  readonly #run: () => Started<T>;
  readonly #site: { rank: number; call: string };

  private constructor(site: { rank: number; call: string }, run: () => Started<T>) {
    super();
    this.#site = site;
    this.#run = run;
  }

  static {
    persistentRequest = (site, run) => new PersistentRequest(site, run);
  }

  /**
   * Starts the operation once more (MPI_Start). The request must be inactive: a start while the
   * previous one has not been reported complete is ERR_STATE; on a freed communicator ERR_COMM.
   */
  start(): void {
    if (this.active) throw notUsable({ ...this.#site, call: "start" }, `the ${this.#site.call} request is still active: wait for it (or test it) before starting it again`);
    const { promise, receive } = this.#run();
    requestInternals.restart(this, promise, receive);
  }
}

/** Starts every persistent request, in order (MPI_Startall). Each must be inactive. */
export function startAll(requests: readonly PersistentRequest<unknown>[]): void {
  if (!Array.isArray(requests)) throw badArgument({ call: "startAll" }, "requests", requests, "an array of persistent requests");
  const index = requests.findIndex((request) => !(request instanceof PersistentRequest));
  if (index >= 0) throw badArgument({ call: "startAll" }, `requests[${index}]`, requests[index], "a persistent request (from sendInit or recvInit)");
  for (const request of requests) request.start();
}

/** A persistent send: arguments checked now, `data` encoded afresh at each start (its contents then). */
export function sendInit(core: CommCore, data: unknown, dest: number, tag: number): PersistentRequest<void> {
  const call = "sendInit";
  assertUsable(core, call);
  checkDest(core, call, dest);
  checkSendTag(core, call, tag);
  // Encoded once now only to refuse data that cannot be sent here rather than at a start.
  prepareSend(core, call, data, dest, tag);
  return persistentRequest({ rank: core.rank, call }, () => ({ promise: prepareSend(core, call, data, dest, tag)() }));
}

/** A persistent receive: arguments checked now; each start posts the receive again. */
export function recvInit<T>(core: CommCore, source: number, tag: number): PersistentRequest<T> {
  const call = "recvInit";
  assertUsable(core, call);
  checkSource(core, call, source);
  checkRecvTag(core, call, tag);
  return persistentRequest<T>({ rank: core.rank, call }, () => {
    const pending = postReceive(core, call, source, tag);
    return { promise: decodeReceived<T>(core, call, pending).then((received) => received.data), receive: pending.handle };
  });
}
