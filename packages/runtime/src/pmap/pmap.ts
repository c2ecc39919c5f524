/**
 * `pmap`: Distributed.jl's `pmap` over a communicator, as self-scheduling master/worker
 * (dynamic load balancing): the root hands out chunks of `chunkSize` items, and a worker asks for
 * the next chunk, carrying the results of the last one, as soon as it has finished it. Fast
 * workers thus take more chunks than slow ones, and uneven task times even out.
 *
 *   root (dispatcher)            worker w
 *        <---- report(results of chunk k-1) ----
 *        ---- chunk k (start, items) ---------->    fn(item, index) for each item, in order
 *        <---- report(results of chunk k) ------
 *        ---- stop ---------------------------->    (no items left, or a task failed)
 *        ---- done (ok | failure) ------------->    then, with allRanks, one allgather
 *
 * All of it runs on a private `dup()` of the communicator, so it never matches the program's own
 * messages or collectives, whatever their tags.
 *
 * Who computes: with one rank the root runs every item itself. With more, the root only
 * dispatches (as Distributed.jl's pmap leaves the master process out when there are workers). JS
 * runs one thing at a time per process: a root busy in a synchronous `fn` could not answer a
 * worker's request until that task ended, so every worker would wait up to one task for each chunk
 * and dynamic balancing would be lost; a dispatcher that only waits for messages answers at once.
 * The price is one process at np 2, where a single worker does everything.
 */
import { ANY_SOURCE } from "../constants.ts";
import type { Comm } from "../comm/comm.ts";
import { badArgument, invalidArguments, rankOutOfRange, TsmpiError } from "../errors.ts";
import { TaskError, describeFailure, rebuildCause, type TaskFailure } from "./task-error.ts";

/** Options of {@link pmap}; every rank must pass the same ones. */
export interface PmapOptions {
  /** Rank that holds the items and gets the results (default 0). The same on every rank. */
  root?: number;
  /** Items per request (default 1). Larger chunks mean fewer messages but coarser balancing. */
  chunkSize?: number;
  /** Results on every rank instead of on the root only (default false). */
  allRanks?: boolean;
}

/** The function {@link pmap} applies: called with an item and its index, may be async. */
export type PmapFunction<T, R> = (item: T, index: number) => R | Promise<R>;

const TAG_WORK = 1;
const TAG_REPORT = 2;
const TAG_DONE = 3;

type Order<T> = { kind: "work"; start: number; items: T[] } | { kind: "stop" };
type Report<R> =
  | { kind: "ready" }
  | { kind: "results"; start: number; values: R[] }
  | { kind: "failed"; failure: TaskFailure };
type Done = { kind: "ok" } | { kind: "failed"; failure: TaskFailure };
/** One worker's part of the results, for the allgather of `allRanks`. */
type Piece<R> = { start: number; values: R[] };

/**
 * Applies `fn(item, index)` to every item with dynamic load balancing over the ranks of `comm`;
 * resolves to the results in item order on the root (`undefined` on the other ranks), or on every
 * rank with `allRanks: true`. Collective: every rank calls it, with the same options.
 *
 * `items` is read on the root only; the other ranks may pass `undefined` or anything else. Items
 * and results may be any value the runtime can send (structured data, typed arrays, ...); `fn` may
 * be async. Each worker runs its items one at a time, in order.
 *
 * If `fn` throws, no more chunks are handed out, chunks already running finish, and every rank
 * rejects with the same `TaskError` (code ERR_TASK) naming the item index and the rank that ran
 * it, with what `fn` threw as `cause`; when several items failed, the lowest index is reported.
 */
export async function pmap<T, R>(
  comm: Comm,
  items: readonly T[] | Iterable<T> | undefined,
  fn: PmapFunction<T, R>,
  options: PmapOptions = {},
): Promise<R[] | undefined> {
  const { root = 0, chunkSize = 1, allRanks = false } = options;
  const { rank, size } = comm;
  if (!Number.isInteger(root) || root < 0 || root >= size) {
    throw rankOutOfRange({ rank, call: "pmap" }, "root", root, size);
  }
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw badArgument({ rank, call: "pmap" }, "chunkSize", chunkSize, "a positive integer");
  }
  if (typeof fn !== "function") {
    throw badArgument({ rank, call: "pmap" }, "fn", fn, "a function (item, index) => result");
  }

  if (size === 1) {
    const list = itemList(items, rank);
    const results: R[] = [];
    for (let index = 0; index < list.length; index++) {
      try {
        results.push(await fn(list[index]!, index));
      } catch (error) {
        throw new TaskError("pmap", describeFailure(error, index, rank), error);
      }
    }
    return results;
  }

  const private_ = await comm.dup();
  try {
    return rank === root
      ? await dispatch(private_, items, chunkSize, allRanks)
      : await work(private_, root, fn, allRanks);
  } finally {
    private_.free();
  }
}

const ITEMS_EXPECTED = "items must be an array or iterable on the root";

/** The item list on the root, or the ERR_ARG every rank will throw. */
function itemList<T>(items: readonly T[] | Iterable<T> | undefined, rank: number): readonly T[] {
  if (Array.isArray(items)) return items;
  if (items !== null && typeof items === "object" && Symbol.iterator in items) return Array.from(items);
  throw invalidArguments({ rank, call: "pmap" }, ITEMS_EXPECTED, "items", items);
}

async function dispatch<T, R>(comm: Comm, items: unknown, chunkSize: number, allRanks: boolean): Promise<R[]> {
  const { rank: root, size } = comm;
  let list: readonly T[] = [];
  // A bad item list must still reach the workers, or they would wait for a chunk forever.
  let argumentError: TsmpiError | undefined;
  try {
    list = itemList(items as readonly T[], root);
  } catch (error) {
    argumentError = error as TsmpiError;
  }
  const results: R[] = new Array<R>(list.length);
  const failures: TaskFailure[] = [];
  let next = 0;
  let running = size - 1;

  while (running > 0) {
    const { data: report, source } = await comm.recvWithStatus<Report<R>>(ANY_SOURCE, TAG_REPORT);
    if (report.kind === "results") {
      for (let k = 0; k < report.values.length; k++) results[report.start + k] = report.values[k]!;
    } else if (report.kind === "failed") {
      failures.push(report.failure);
    }
    if (argumentError === undefined && failures.length === 0 && next < list.length) {
      const start = next;
      next = Math.min(list.length, start + chunkSize);
      try {
        await comm.send({ kind: "work", start, items: list.slice(start, next) } satisfies Order<T>, source, TAG_WORK);
        continue;
      } catch (error) {
        failures.push(describeFailure(error, start, root, "ERR_SERIALIZE", `items[${start}..${next - 1}] cannot be sent to rank ${source}`));
      }
    }
    await comm.send({ kind: "stop" } satisfies Order<T>, source, TAG_WORK);
    running--;
  }

  const failure = failures.sort((a, b) => a.index - b.index)[0];
  const done: Done =
    argumentError !== undefined
      ? { kind: "failed", failure: { ...describeFailure(argumentError, -1, root, "ERR_ARG"), message: ITEMS_EXPECTED, reason: "items" } }
      : failure
        ? { kind: "failed", failure }
        : { kind: "ok" };
  for (let worker = 0; worker < size; worker++) {
    if (worker !== root) await comm.send(done, worker, TAG_DONE);
  }
  if (argumentError !== undefined) throw argumentError;
  if (failure) throw new TaskError("pmap", failure, rebuildCause(failure));
  if (allRanks) await comm.allgather<Piece<R>[]>([]);
  return results;
}

async function work<T, R>(comm: Comm, root: number, fn: PmapFunction<T, R>, allRanks: boolean): Promise<R[] | undefined> {
  const rank = comm.rank;
  const mine: Piece<R>[] = [];
  // What this rank threw itself, so that its own TaskError carries the original as cause.
  let ownFailure: { failure: TaskFailure; thrown: unknown } | undefined;
  let report: Report<R> = { kind: "ready" };

  for (;;) {
    try {
      await comm.send(report, root, TAG_REPORT);
    } catch (error) {
      if (report.kind !== "results") throw error;
      const { start, values } = report;
      const failure = describeFailure(error, start, rank, "ERR_SERIALIZE", `results of items[${start}..${start + values.length - 1}] cannot be sent`);
      ownFailure = { failure, thrown: error };
      await comm.send({ kind: "failed", failure } satisfies Report<R>, root, TAG_REPORT);
    }
    const order = await comm.recv<Order<T>>(root, TAG_WORK);
    if (order.kind === "stop") break;
    const values: R[] = [];
    let failed = false;
    for (let k = 0; k < order.items.length; k++) {
      const index = order.start + k;
      try {
        values.push(await fn(order.items[k]!, index));
      } catch (error) {
        const failure = describeFailure(error, index, rank);
        ownFailure = { failure, thrown: error };
        report = { kind: "failed", failure };
        failed = true;
        break;
      }
    }
    if (!failed) {
      report = { kind: "results", start: order.start, values };
      if (allRanks) mine.push({ start: order.start, values });
    }
  }

  const done = await comm.recv<Done>(root, TAG_DONE);
  if (done.kind === "failed") {
    const { failure } = done;
    if (failure.reason === "items") {
      throw invalidArguments({ rank: failure.rank, call: "pmap" }, failure.message, "items");
    }
    const own = ownFailure && ownFailure.failure.index === failure.index && failure.rank === rank;
    throw new TaskError("pmap", failure, own ? ownFailure!.thrown : rebuildCause(failure));
  }
  if (!allRanks) return undefined;
  const pieces = await comm.allgather(mine);
  const results: R[] = [];
  for (const piece of pieces.flat()) {
    for (let k = 0; k < piece.values.length; k++) results[piece.start + k] = piece.values[k]!;
  }
  return results;
}
