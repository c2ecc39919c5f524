/**
 * Completion of several requests at once (MPI_Waitall, MPI_Waitany, MPI_Waitsome, MPI_Testall,
 * MPI_Testany, MPI_Testsome). Inactive requests (whose completion was reported already) are
 * skipped, as MPI skips MPI_REQUEST_NULL: when none is active, the "any" and "some" forms report
 * UNDEFINED / `undefined` instead of waiting forever.
 */
import { UNDEFINED } from "../constants.ts";
import { badArgument } from "../errors.ts";
import { recordSliceUntil, tracing } from "../comm-trace/recorder.ts";
import { Request, requestInternals } from "./request.ts";

type Values<T extends readonly PromiseLike<unknown>[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/** What `waitAny`/`testAny` report: the index of a request and its value, or UNDEFINED if none is active. */
export type AnyCompleted<T> = { index: number; value: T } | { index: typeof UNDEFINED; value: undefined };

/** What `waitSome`/`testSome` report: the indices of the requests that completed, and their values. */
export interface SomeCompleted<T> {
  indices: number[];
  values: T[];
}

/**
 * Waits for every request; resolves with their values in order (MPI_Waitall). Every request is
 * then inactive; one that already was resolves at once, with its value.
 */
export function waitAll<const T extends readonly PromiseLike<unknown>[]>(requests: T): Promise<Values<T>> {
  const deactivate = <V>(values: V): V => {
    for (const request of requests) if (request instanceof Request) requestInternals.deactivate(request);
    return values;
  };
  // One slice for the whole wait: one per request would overlap each other on the rank's track.
  const all = (Promise.all(requests.map(withinGroup)) as Promise<Values<T>>).then(deactivate);
  if (tracing) recordSliceUntil(all, "waitAll", { requests: requests.length });
  return all;
}

function withinGroup<T>(request: PromiseLike<T>): PromiseLike<T> {
  return request instanceof Request ? requestInternals.waitWithinGroup(request as Request<T>) : request;
}

function isActive(request: PromiseLike<unknown>): boolean {
  return !(request instanceof Request) || request.active;
}

/**
 * Waits for one active request to complete (MPI_Waitany): the lowest-indexed one among those
 * already complete, else the first to complete; that request becomes inactive, so the next call
 * reports another. Resolves with `{ index: UNDEFINED, value: undefined }` when no request is
 * active (an empty list included). A plain promise in the list is always active.
 */
export async function waitAny<T>(requests: readonly PromiseLike<T>[]): Promise<AnyCompleted<T>> {
  for (let index = 0; index < requests.length; index++) {
    const request = requests[index];
    if (!(request instanceof Request) || !request.active || !requestInternals.settled(request)) continue;
    requestInternals.throwIfFailed(request);
    requestInternals.deactivate(request);
    return { index, value: requestInternals.settledValue(request) };
  }
  const active = requests.flatMap((request, index) => (isActive(request) ? [index] : []));
  if (active.length === 0) return { index: UNDEFINED, value: undefined };
  const any = Promise.race(active.map((index) => Promise.resolve(withinGroup(requests[index]!)).then((value) => ({ index, value }))));
  if (tracing) recordSliceUntil(any, "waitAny", { requests: requests.length });
  const completed = await any;
  const request = requests[completed.index];
  if (request instanceof Request) requestInternals.deactivate(request);
  return completed;
}

/**
 * Waits until at least one active request has completed, and reports every active one that has
 * by then (MPI_Waitsome); they become inactive. `undefined` when no request is active.
 */
export async function waitSome<T>(requests: readonly Request<T>[]): Promise<SomeCompleted<T> | undefined> {
  checkRequests(requests, "waitSome");
  const active = requests.filter((request) => request.active);
  if (active.length === 0) return undefined;
  const some = Promise.race(active.map((request) => requestInternals.waitWithinGroup(request)));
  if (tracing) recordSliceUntil(some, "waitSome", { requests: requests.length });
  await some;
  return testSome(requests);
}

/**
 * Whether every request has completed (MPI_Testall): their values in order if so (every request
 * then inactive), else `undefined` (and none changes). Throws the error of a failed one.
 */
export function testAll<const T extends readonly Request<unknown>[]>(requests: T): Values<T> | undefined {
  checkRequests(requests, "testAll");
  for (const request of requests) requestInternals.throwIfFailed(request);
  if (!requests.every((request) => requestInternals.settled(request))) return undefined;
  return waitAllSettled(requests);
}

function waitAllSettled<const T extends readonly Request<unknown>[]>(requests: T): Values<T> {
  const values = requests.map((request) => {
    requestInternals.deactivate(request);
    return requestInternals.settledValue(request);
  });
  return values as Values<T>;
}

/**
 * One active request that has completed, if any (MPI_Testany): the lowest index, which becomes
 * inactive; `undefined` if active requests remain but none has completed; `{ index: UNDEFINED }`
 * when none is active. Throws the error of a failed one it would report.
 */
export function testAny<T>(requests: readonly Request<T>[]): AnyCompleted<T> | undefined {
  checkRequests(requests, "testAny");
  const completed = takeCompleted(requests, 1);
  if (completed === undefined) return { index: UNDEFINED, value: undefined };
  return completed.indices.length === 0 ? undefined : { index: completed.indices[0]!, value: completed.values[0]! };
}

/**
 * Every active request that has completed (MPI_Testsome), possibly none; they become inactive.
 * `undefined` when no request is active. Throws the error of a failed one.
 */
export function testSome<T>(requests: readonly Request<T>[]): SomeCompleted<T> | undefined {
  checkRequests(requests, "testSome");
  return takeCompleted(requests, requests.length);
}

/**
 * Up to `limit` completed active requests, lowest index first, made inactive; `undefined` when no
 * request is active. Throws the error of a failed one it would take.
 */
function takeCompleted<T>(requests: readonly Request<T>[], limit: number): SomeCompleted<T> | undefined {
  const completed: SomeCompleted<T> = { indices: [], values: [] };
  let anyActive = false;
  for (let index = 0; index < requests.length && completed.indices.length < limit; index++) {
    const request = requests[index]!;
    if (!request.active) continue;
    anyActive = true;
    if (!requestInternals.settled(request)) continue;
    requestInternals.throwIfFailed(request);
    requestInternals.deactivate(request);
    completed.indices.push(index);
    completed.values.push(requestInternals.settledValue(request));
  }
  return anyActive ? completed : undefined;
}

function checkRequests(requests: readonly unknown[], call: string): void {
  if (!Array.isArray(requests)) throw badArgument({ call }, "requests", requests, "an array of Requests");
  const index = requests.findIndex((request) => !(request instanceof Request));
  if (index >= 0) throw badArgument({ call }, `requests[${index}]`, requests[index], "a Request (from isend, irecv, ...)");
}
