import { operationsInProgress } from "../engine/operations.ts";
import { invalidArguments } from "../errors.ts";
import { recordSliceUntil, tracing } from "../comm-trace/recorder.ts";

/**
 * A nonblocking operation in flight (MPI_Request; mpi4py's `MPI.Request`). Await it (or `wait()`)
 * for its value; `test()` says without waiting whether it has completed; `waitAll`/`waitAny`
 * take several (MPI_Waitall, MPI_Waitany).
 *
 * You get one from the nonblocking calls: `comm.isend`, `comm.irecv`, `comm.ibcast`,
 * `comm.iallreduce` and the other `i`-prefixed collectives, `darray.exchangeHaloStart()`.
 *
 * @example
 * ```ts
 * const incoming = world.irecv<number[]>(left);   // mpi4py: req = comm.irecv(source=left)
 * await world.send([1, 2, 3], right);
 * const data = await incoming;                    // req.wait()
 * ```
 */
export class Request<T = unknown> implements PromiseLike<T> {
  readonly #promise: Promise<T>;
  #settled = false;
  #failed = false;
  #error: unknown;

  /** @internal Requests are made by `isend`, `irecv` and the other nonblocking calls. */
  constructor(operation: Promise<T>) {
    this.#promise = operation;
    operation.then(
      () => {
        this.#settled = true;
      },
      (error: unknown) => {
        this.#settled = true;
        this.#failed = true;
        this.#error = error;
      },
    );
  }

  /** True once the operation has completed; throws the operation's error if it failed. */
  test(): boolean {
    if (this.#failed) throw this.#error;
    return this.#settled;
  }

  /** Resolves with the operation's value (the data, for a receive) once it completes. */
  wait(): Promise<T> {
    if (!this.#settled) this.#waiting(true);
    return this.#promise;
  }

  /**
   * @internal The request's promise, listed as a `wait` in the state report like `wait()`, without a
   * slice of its own in the trace: `waitAll` and `waitAny` make one slice for all their requests.
   */
  waitWithinGroup(): Promise<T> {
    if (!this.#settled) this.#waiting(false);
    return this.#promise;
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
    return this.#promise.then(onFulfilled, onRejected);
  }
}

type Values<T extends readonly PromiseLike<unknown>[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/** Waits for every request; resolves with their values in order (MPI_Waitall). */
export function waitAll<const T extends readonly PromiseLike<unknown>[]>(requests: T): Promise<Values<T>> {
  if (!tracing) return Promise.all(requests) as Promise<Values<T>>;
  // One slice for the whole wait: one per request would overlap each other on the rank's track.
  const all = Promise.all(requests.map(withinGroup)) as Promise<Values<T>>;
  recordSliceUntil(all, "waitAll", { requests: requests.length });
  return all;
}

function withinGroup<T>(request: PromiseLike<T>): PromiseLike<T> {
  return request instanceof Request ? (request as Request<T>).waitWithinGroup() : request;
}

/**
 * Waits for one request to complete (MPI_Waitany): the lowest-indexed one among those already
 * complete, else the first to complete.
 */
export async function waitAny<T>(requests: readonly PromiseLike<T>[]): Promise<{ index: number; value: T }> {
  if (requests.length === 0) {
    throw invalidArguments({ call: "waitAny" }, "needs at least one request", "requests");
  }
  for (let index = 0; index < requests.length; index++) {
    const request = requests[index];
    if (request instanceof Request && request.test()) return { index, value: await request };
  }
  if (!tracing) return Promise.race(requests.map((request, index) => Promise.resolve(request).then((value) => ({ index, value }))));
  const any = Promise.race(requests.map((request, index) => Promise.resolve(withinGroup(request)).then((value) => ({ index, value }))));
  recordSliceUntil(any, "waitAny", { requests: requests.length });
  return any;
}
