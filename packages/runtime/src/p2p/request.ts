import { operationsInProgress } from "../engine/operations.ts";
import { recordSliceUntil, tracing } from "../comm-trace/recorder.ts";
import type { ReceiveHandle, Status } from "./status.ts";

/**
 * What the runtime's own modules do with requests beyond the public API: make them, restart a
 * persistent one, and the waitAll family's bookkeeping (p2p/wait.ts). Not exported from the
 * package, so none of it appears on the public class.
 */
interface RequestInternals {
  /** A request for `operation` (`receive`: the receive behind it, for status and cancel). */
  create<T>(operation: Promise<T>, receive?: ReceiveHandle): Request<T>;
  /** Makes a persistent request stand for its next start's operation. */
  restart<T>(request: Request<T>, operation: Promise<T>, receive?: ReceiveHandle): void;
  /** Whether it has completed, without reporting it (the request stays active). */
  settled(request: Request<unknown>): boolean;
  /** The value of a settled request, read synchronously. */
  settledValue<T>(request: Request<T>): T;
  /** Rethrows the operation's error, if it failed. */
  throwIfFailed(request: Request<unknown>): void;
  /** Makes the request inactive: its completion has been reported. */
  deactivate(request: Request<unknown>): void;
  /**
   * The request's promise, listed as a `wait` in the state report like `wait()`, without a slice
   * of its own in the trace and without reporting completion: the waitAll/waitAny family makes
   * one slice for all their requests and says which completions they reported.
   */
  waitWithinGroup<T>(request: Request<T>): Promise<T>;
}

let internals: RequestInternals;

/**
 * A nonblocking operation in flight (MPI_Request; mpi4py's `MPI.Request`). Await it (or `wait()`)
 * for its value; `test()` says without waiting whether it has completed; `waitAll`, `waitAny`,
 * `waitSome`, `testAll`, `testAny` and `testSome` take several (MPI_Waitall, ...).
 *
 * A request is *active* until its completion has been reported once: by `wait()` or an `await`
 * resolving, by `test()` returning true, or by being the index (or one of the indices) a
 * `waitAny`/`waitSome`/`testAny`/`testSome` returned, or in a `waitAll`/`testAll` that completed.
 * It is then *inactive*, as an MPI request becomes MPI_REQUEST_NULL: `waitAny` and friends skip
 * it, and waiting on it again resolves at once with the same value.
 *
 * A receive request (`irecv`, `isendrecv`) has a {@link Status} once it completes, and can be
 * cancelled before a message matches it.
 *
 * You get one from the nonblocking calls: `comm.isend`, `comm.issend`, `comm.irecv`,
 * `comm.isendrecv`, `comm.ibcast`, `comm.iallreduce` and the other `i`-prefixed collectives,
 * `darray.exchangeHaloStart()`.
 *
 * @example
 * ```ts
 * const incoming = world.irecv<number[]>(left);   // mpi4py: req = comm.irecv(source=left)
 * await world.send([1, 2, 3], right);
 * const data = await incoming;                    // req.wait()
 * ```
 */
export class Request<T = unknown> implements PromiseLike<T> {
  #promise: Promise<T>;
  #receive: ReceiveHandle | undefined;
  #settled = false;
  #failed = false;
  #error: unknown;
  #value: T | undefined;
  #active = true;
  /** Which start of a persistent request the state belongs to (one per start). */
  #generation = 0;

  /**
   * Requests come from the nonblocking calls; a subclass's constructor makes an inactive,
   * complete request (a persistent request not yet started).
   */
  protected constructor() {
    this.#promise = Promise.resolve(undefined as T);
    this.#settled = true;
    this.#active = false;
  }

  static {
    internals = {
      create<V>(operation: Promise<V>, receive?: ReceiveHandle): Request<V> {
        const request = new Request<V>();
        request.#begin(operation, receive);
        return request;
      },
      restart: (request, operation, receive) => request.#begin(operation, receive),
      settled: (request) => request.#settled,
      settledValue: <V>(request: Request<V>): V => request.#value as V,
      throwIfFailed(request) {
        if (request.#failed) throw request.#error;
      },
      deactivate(request) {
        request.#active = false;
      },
      waitWithinGroup<V>(request: Request<V>): Promise<V> {
        if (!request.#settled) request.#waiting(false);
        return request.#promise;
      },
    };
  }

  /** Makes the request stand for `operation` (again, for a persistent request). */
  #begin(operation: Promise<T>, receive?: ReceiveHandle): void {
    const generation = ++this.#generation;
    this.#promise = operation;
    this.#receive = receive;
    this.#settled = false;
    this.#failed = false;
    this.#error = undefined;
    this.#value = undefined;
    this.#active = true;
    operation.then(
      (value) => {
        if (generation !== this.#generation) return;
        this.#settled = true;
        this.#value = value;
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.#settled = true;
        this.#failed = true;
        this.#error = error;
      },
    );
  }

  /**
   * True once the operation has completed (the request then becomes inactive); throws the
   * operation's error if it failed (MPI_Test).
   */
  test(): boolean {
    if (this.#failed) throw this.#error;
    if (this.#settled) this.#active = false;
    return this.#settled;
  }

  /** False once the request's completion has been reported (MPI_REQUEST_NULL); see the class doc. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * A receive's status once it has completed (source, tag, bytes, count, cancelled); `undefined`
   * before that, and for requests that are not receives.
   */
  get status(): Status | undefined {
    return this.#settled ? this.#receive?.status : undefined;
  }

  /**
   * Cancels a receive that no message has matched yet (MPI_Cancel): the request then completes
   * with value `undefined` and a status whose `cancelled` is true, and the message it would have
   * matched stays for later receives. Returns whether it was cancelled: a receive that has
   * already matched (or completed) is left alone and its status says `cancelled: false`. Other
   * requests (sends, collectives) cannot be cancelled: returns false.
   */
  cancel(): boolean {
    return this.#receive?.cancel() ?? false;
  }

  /** Resolves with the operation's value (the data, for a receive) once it completes (MPI_Wait). */
  wait(): Promise<T> {
    if (!this.#settled) this.#waiting(true);
    return this.#promise.then((value) => this.#report(value));
  }

  /** Resolves with the receive's status once it completes (MPI_Wait with a status). */
  async waitStatus(): Promise<Status | undefined> {
    await this.wait();
    return this.status;
  }

  #report(value: T): T {
    this.#active = false;
    return value;
  }

  #waiting(slice: boolean): void {
    operationsInProgress.track(this.#promise, operationsInProgress.begin("wait", -1, 0, -1, -1));
    if (tracing && slice) recordSliceUntil(this.#promise, "wait", {});
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // Awaiting a request that is still pending is a wait (MPI_Wait), listed in the state report.
    if (!this.#settled) this.#waiting(true);
    return this.#promise.then((value) => this.#report(value)).then(onFulfilled, onRejected);
  }
}

/** See RequestInternals; set by Request's static block. */
export const requestInternals: RequestInternals = internals!;

/** A request for `operation`, for the runtime's nonblocking calls. */
export const requestFor = <T>(operation: Promise<T>, receive?: ReceiveHandle): Request<T> => requestInternals.create(operation, receive);
