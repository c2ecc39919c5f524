/**
 * `Comm`: the communicator facade a program talks to (MPI_Comm / mpi4py `Comm`). It checks nothing
 * and stores nothing itself; the work is in p2p/, coll/ and the engine.
 */
import { ANY_SOURCE, ANY_TAG } from "../constants.ts";
import { TsmpiError } from "../errors.ts";
import { abortJob } from "../lifecycle/abort.ts";
import { allgather } from "../coll/allgather/index.ts";
import { alltoall } from "../coll/alltoall/index.ts";
import { exscan } from "../coll/exscan/index.ts";
import { gather } from "../coll/gather/index.ts";
import { reduceScatter } from "../coll/reduce-scatter/index.ts";
import { scan } from "../coll/scan/index.ts";
import { scatter } from "../coll/scatter/index.ts";
import { allreduce } from "../coll/allreduce/index.ts";
import { barrier } from "../coll/barrier/index.ts";
import { bcast } from "../coll/bcast/index.ts";
import { reduce } from "../coll/reduce/index.ts";
import type { OpLike } from "../ops/op.ts";
import { checkProbe, startProbe, type ProbeStatus } from "../p2p/probe.ts";
import { startRecv, type Received } from "../p2p/recv.ts";
import { Request } from "../p2p/request.ts";
import { prepareSend, startSend } from "../p2p/send.ts";
import { freeCore, type CommCore } from "./core.ts";
import { dupCore } from "./dup.ts";
import { splitCore } from "./split.ts";
import type { CartComm } from "../topo/cart.ts";

/** @internal The core behind a communicator, for the runtime's own modules. */
export let coreOf: (comm: Comm) => CommCore;

/**
 * A communicator: a group of ranks that exchange messages and run collectives together
 * (MPI_Comm; mpi4py's `MPI.Comm` / `Intracomm`). Point-to-point (`send`, `recv`, `isend`,
 * `irecv`, `sendrecv`, `probe`), collectives (`barrier`, `bcast`, `reduce`, `allreduce`,
 * `gather`, `scatter`, `allgather`, `alltoall`, `scan`, `exscan`, `reduceScatter`, each with an
 * `i`-prefixed nonblocking form that returns a {@link Request}) and new communicators (`dup`,
 * `split`, `createCart`). Messages on one communicator never match those of another.
 *
 * You get the world communicator from `await init()` (MPI_COMM_WORLD); `dup()`, `split()` and
 * `createCart()` make others. There is no public constructor.
 *
 * @example
 * ```ts
 * import { init, finalize, Op } from "@tsmpi/runtime";
 * const world = await init();
 * const total = await world.allreduce(world.rank, Op.SUM); // mpi4py: comm.allreduce(rank, op=MPI.SUM)
 * if (world.rank === 0) console.log(`sum of ranks 0..${world.size - 1} = ${total}`);
 * await finalize();
 * ```
 */
export class Comm {
  readonly #core: CommCore;

  static {
    coreOf = (comm) => comm.#core;
  }

  /** @internal Communicators come from `init()` and from other communicators. */
  constructor(core: CommCore) {
    this.#core = core;
  }

  /** This process's rank in the communicator, 0..size-1. */
  get rank(): number {
    return this.#core.rank;
  }

  /** Number of ranks in the communicator. */
  get size(): number {
    return this.#core.size;
  }

  /**
   * Sends `data` to rank `dest` with `tag`. Resolves once the message is on its way; it never waits
   * for the matching receive, whatever the size, and `data` may be changed as soon as the call
   * returns. Typed arrays travel as raw bytes; anything else msgpackr can encode as a clone.
   * A send to PROC_NULL does nothing.
   */
  async send(data: unknown, dest: number, tag = 0): Promise<void> {
    await startSend(this.#core, "send", data, dest, tag);
  }

  /** Receives the next message from `source` with `tag` (wildcards allowed) and returns its data. */
  async recv<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): Promise<T> {
    return (await startRecv<T>(this.#core, "recv", source, tag)).data;
  }

  /** Like `recv`, with the envelope: which rank sent it and with which tag. */
  async recvWithStatus<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): Promise<Received<T>> {
    return startRecv<T>(this.#core, "recvWithStatus", source, tag);
  }

  /**
   * Starts a send and returns at once. Arguments are checked and `data` is copied before it returns,
   * so a bad call throws here and `data` may be reused right away.
   */
  isend(data: unknown, dest: number, tag = 0): Request<void> {
    return new Request(startSend(this.#core, "isend", data, dest, tag));
  }

  /** Starts a receive; the request's value is the data. */
  irecv<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): Request<T> {
    return new Request(startRecv<T>(this.#core, "irecv", source, tag).then((received) => received.data));
  }

  /** Sends `data` to `dest` and receives from `source` in one call, without deadlock (MPI_Sendrecv). */
  async sendrecv<T = unknown>(
    data: unknown,
    dest: number,
    source: number = ANY_SOURCE,
    sendTag = 0,
    recvTag: number = ANY_TAG,
  ): Promise<T> {
    const send = prepareSend(this.#core, "sendrecv", data, dest, sendTag);
    const received = startRecv<T>(this.#core, "sendrecv", source, recvTag);
    await send();
    return (await received).data;
  }

  /** Waits until a matching message has arrived, without receiving it. */
  async probe(source: number = ANY_SOURCE, tag: number = ANY_TAG): Promise<ProbeStatus> {
    return startProbe(this.#core, source, tag);
  }

  /** The envelope of a matching message that has already arrived, or `undefined`. */
  iprobe(source: number = ANY_SOURCE, tag: number = ANY_TAG): ProbeStatus | undefined {
    return checkProbe(this.#core, source, tag);
  }

  // ---- Collectives. Every rank of the communicator must make the same collective calls in the
  // same order; the nonblocking forms (i...) return a Request and may overlap with other work and
  // with collectives on other communicators. Each entry point lives in coll/<collective>/index.ts.

  /** Returns once every rank of the communicator has called it (MPI_Barrier). */
  async barrier(): Promise<void> {
    await barrier(this.#core);
  }

  /** Nonblocking barrier (MPI_Ibarrier): the request completes once every rank has called it. */
  ibarrier(): Request<void> {
    return new Request(barrier(this.#core));
  }

  /**
   * `op` over every rank's `data`, on every rank (MPI_Allreduce). Numbers, bigints, booleans,
   * typed arrays and arrays of numbers (element-wise), `[value, index]` pairs for MINLOC/MAXLOC, or
   * anything for a user function. The result is bitwise equal on every rank.
   */
  async allreduce<T>(data: T, op: OpLike<T>): Promise<T> {
    return allreduce(this.#core, data, op);
  }

  /** Nonblocking allreduce (MPI_Iallreduce). */
  iallreduce<T>(data: T, op: OpLike<T>): Request<T> {
    return new Request(allreduce(this.#core, data, op));
  }

  /** Every rank's `data`, in rank order, on every rank (MPI_Allgather). */
  async allgather<T>(data: T): Promise<T[]> {
    return allgather(this.#core, data);
  }

  /** Nonblocking allgather (MPI_Iallgather). */
  iallgather<T>(data: T): Request<T[]> {
    return new Request(allgather(this.#core, data));
  }

  // ---- (collectives: rooted ones and reductions go here: bcast, reduce, scan, ...)

  /**
   * The root's `data` on every rank (MPI_Bcast). Any value; the other ranks' `data` is ignored
   * (pass `undefined`) unless it is a typed array, which then receives the root's data and must be
   * of its kind and length (MPI_Bcast's buffer, mpi4py's `Bcast`). The root gets its own `data`
   * back, the same object, as with mpi4py's `bcast`; the other ranks get a copy or their buffer.
   * Throws ERR_RANK for a root out of range before anything is sent.
   */
  async bcast<T>(data: T, root = 0): Promise<T> {
    return bcast(this.#core, data, root);
  }

  /** Nonblocking bcast (MPI_Ibcast); arguments are checked before it returns. */
  ibcast<T>(data: T, root = 0): Request<T> {
    return new Request(bcast(this.#core, data, root));
  }

  /**
   * Broadcasts the root's typed array into every rank's `buffer`, which must be of the same kind
   * and length on every rank (MPI_Bcast proper, mpi4py's `Bcast`). Because every rank states the
   * size, large buffers may use a bandwidth-optimal algorithm (scatter + allgather) that `bcast`
   * cannot choose. Returns `buffer`.
   */
  async bcastBuffer<T extends ArrayBufferView>(buffer: T, root = 0): Promise<T> {
    if (!ArrayBuffer.isView(buffer) || buffer instanceof DataView) {
      throw new TsmpiError("ERR_ARG", { rank: this.#core.rank, call: "bcastBuffer", argument: "buffer", got: buffer, expected: "a typed array" });
    }
    return bcast(this.#core, buffer, root, true);
  }

  /**
   * `op` over every rank's `data` on `root`, `undefined` on the other ranks (MPI_Reduce). Same data
   * and ops as `allreduce`; a plain function is applied in rank order, `f(f(x0, x1), x2)...`. A typed
   * array result is a new array; the callers' arrays are never changed.
   */
  async reduce<T>(data: T, op: OpLike<T>, root = 0): Promise<T | undefined> {
    return reduce(this.#core, data, op, root);
  }

  /** Nonblocking reduce (MPI_Ireduce); arguments are checked before it returns. */
  ireduce<T>(data: T, op: OpLike<T>, root = 0): Request<T | undefined> {
    return new Request(reduce(this.#core, data, op, root));
  }

  // ---- (collectives: data movement goes here: gather, scatter, alltoall, reduceScatter, ...)

  /**
   * Every rank's `data`, in rank order, on `root` (MPI_Gather); the other ranks get `undefined`.
   * Any value; the root's own entry is a copy. Throws ERR_RANK for a root out of range before
   * anything is sent.
   */
  async gather<T>(data: T, root = 0): Promise<T[] | undefined> {
    return gather(this.#core, data, root);
  }

  /** Nonblocking gather (MPI_Igather); arguments are checked before it returns. */
  igather<T>(data: T, root = 0): Request<T[] | undefined> {
    return new Request(gather(this.#core, data, root, "igather"));
  }

  /**
   * Rank i gets `items[i]` (MPI_Scatter). `items` is read on the root only (the other ranks may pass
   * `undefined`) and must hold exactly `size` items there (ERR_ARG otherwise); a root out of range
   * is ERR_RANK. Both are checked before anything is sent. Every rank gets a copy.
   */
  async scatter<T>(items: readonly T[] | undefined, root = 0): Promise<T> {
    return scatter(this.#core, items, root);
  }

  /** Nonblocking scatter (MPI_Iscatter); arguments are checked before it returns. */
  iscatter<T>(items: readonly T[] | undefined, root = 0): Request<T> {
    return new Request(scatter(this.#core, items, root, "iscatter"));
  }

  /**
   * Personalised all-to-all exchange (MPI_Alltoall): `items[i]` goes to rank i, and entry j of the
   * result came from rank j. `items` must hold exactly `size` items (ERR_ARG otherwise).
   */
  async alltoall<T>(items: readonly T[]): Promise<T[]> {
    return alltoall(this.#core, items);
  }

  /** Nonblocking alltoall (MPI_Ialltoall); arguments are checked before it returns. */
  ialltoall<T>(items: readonly T[]): Request<T[]> {
    return new Request(alltoall(this.#core, items, "ialltoall"));
  }

  /**
   * Inclusive prefix reduction (MPI_Scan): rank r gets `x0 op x1 op ... op xr`, applied in rank
   * order, so a plain (non-commutative) function sees its operands in order. Same data and ops as
   * `allreduce`; data of different kinds or lengths on different ranks is ERR_COLL_MISMATCH.
   */
  async scan<T>(data: T, op: OpLike<T>): Promise<T> {
    return scan(this.#core, data, op);
  }

  /** Nonblocking scan (MPI_Iscan); arguments are checked before it returns. */
  iscan<T>(data: T, op: OpLike<T>): Request<T> {
    return new Request(scan(this.#core, data, op, "iscan"));
  }

  /**
   * Exclusive prefix reduction (MPI_Exscan): rank r > 0 gets `x0 op ... op x(r-1)` in rank order;
   * rank 0 gets `undefined`. Same data, ops and errors as `scan`.
   */
  async exscan<T>(data: T, op: OpLike<T>): Promise<T | undefined> {
    return exscan(this.#core, data, op);
  }

  /** Nonblocking exscan (MPI_Iexscan); arguments are checked before it returns. */
  iexscan<T>(data: T, op: OpLike<T>): Request<T | undefined> {
    return new Request(exscan(this.#core, data, op, "iexscan"));
  }

  /**
   * Reduces `data` element-wise over all ranks with `op`, then rank i keeps block i
   * (MPI_Reduce_scatter with the most even blocks): of n elements, every rank gets floor(n / p)
   * and the first n % p ranks one more, so rank i's block starts at i * floor(n / p) + min(i, n % p).
   * `data` is a typed array (reduced in place on a private copy; the result is the same kind) or an
   * array, of the same kind and length on every rank (ERR_COLL_MISMATCH otherwise). A user op gets
   * whole vectors or blocks of them and must work element-wise; a non-commutative one is applied in
   * rank order.
   */
  async reduceScatter<T extends ArrayLike<unknown>>(data: T, op: OpLike<T>): Promise<T> {
    return reduceScatter(this.#core, data as never, op) as Promise<T>;
  }

  /** Nonblocking reduceScatter (MPI_Ireduce_scatter); arguments are checked before it returns. */
  ireduceScatter<T extends ArrayLike<unknown>>(data: T, op: OpLike<T>): Request<T> {
    return new Request(reduceScatter(this.#core, data as never, op, "ireduceScatter") as Promise<T>);
  }

  // ---- (topology: createCart goes here)

  /**
   * A communicator with a Cartesian grid on its ranks (MPI_Cart_create): `dims[d]` ranks along
   * dimension d, which wraps around when `periods[d]` is true. Grid ranks are laid out row-major
   * (the last dimension varies fastest). Ranks from product(dims) up get `undefined`; a grid larger
   * than the communicator is ERR_ARG. `reorder` is accepted and ignored: grid rank r is always this
   * communicator's rank r. Collective: every rank must call it with the same arguments.
   */
  async createCart(dims: readonly number[], periods: readonly boolean[], reorder = false): Promise<CartComm | undefined> {
    // Loaded on first use: topo/cart.ts extends Comm, so a static import would be circular.
    const { createCart } = await import("../topo/cart.ts");
    return createCart(this, dims, periods, reorder);
  }

  /**
   * A new communicator with the same ranks whose messages and collectives never match this one's
   * (MPI_Comm_dup). Collective: every rank must call it.
   */
  async dup(): Promise<Comm> {
    return new Comm(await dupCore(this.#core));
  }

  /**
   * Splits the communicator (MPI_Comm_split): ranks passing the same `color` form a new
   * communicator, ranked by `key` (ties by their rank here). A rank passing `UNDEFINED` gets
   * `undefined`. Collective: every rank must call it.
   */
  async split(color: number, key: number = this.#core.rank): Promise<Comm | undefined> {
    const core = await splitCore(this.#core, color, key);
    return core === undefined ? undefined : new Comm(core);
  }

  /**
   * Releases the communicator (MPI_Comm_free); any later call on it fails with ERR_COMM. Its
   * operations must have completed. The world communicator cannot be freed.
   */
  free(): void {
    if (this.#core.p2pContext === 0) {
      throw new TsmpiError("ERR_COMM", { rank: this.#core.rank, call: "free" }, "the world communicator cannot be freed");
    }
    freeCore(this.#core);
  }

  /**
   * Ends the whole job: tsmpirun stops every rank and exits with `code` (MPI_Abort). The returned
   * promise never resolves; await it so that nothing after it runs.
   */
  async abort(code = 1, reason = ""): Promise<never> {
    return abortJob(this.#core.engine, this.#core.rank, code, reason);
  }
}
