/**
 * The communicator facade a program talks to: `Comm` (MPI_Comm / mpi4py `Comm`). It checks
 * nothing and stores nothing itself: the work is in p2p/, coll/, topo/ (grids, graphs and the
 * communicators they make) and the engine. The communicators with a topology extend it in their
 * own modules (cart-comm.ts, dist-graph-comm.ts), which tell topology-comms.ts how to make them,
 * so that this module does not import what imports it.
 */
import { ANY_SOURCE, ANY_TAG, UNDEFINED } from "../constants.ts";
import { badArgument, invalidArguments, wrongCommunicator } from "../errors.ts";
import { abortJob } from "../lifecycle/abort.ts";
import { allgather } from "../coll/allgather/index.ts";
import { allgatherv } from "../coll/allgatherv/index.ts";
import { alltoall } from "../coll/alltoall/index.ts";
import { alltoallv } from "../coll/alltoallv/index.ts";
import { exscan } from "../coll/exscan/index.ts";
import { gather } from "../coll/gather/index.ts";
import { gatherv } from "../coll/gatherv/index.ts";
import { reduceScatter } from "../coll/reduce-scatter/index.ts";
import { scan } from "../coll/scan/index.ts";
import { scatter } from "../coll/scatter/index.ts";
import { scatterv } from "../coll/scatterv/index.ts";
import type { AnyTypedArray } from "../wire/typed-array.ts";
import { allreduce } from "../coll/allreduce/index.ts";
import { barrier } from "../coll/barrier/index.ts";
import { bcast } from "../coll/bcast/index.ts";
import { reduce } from "../coll/reduce/index.ts";
import { checkCollectiveArguments } from "../coll/collective.ts";
import type { OpLike } from "../ops/op.ts";
import { checkProbe, startProbe, type ProbeStatus } from "../p2p/probe.ts";
import { decodeReceived, postReceive, startRecv, uncancellable, type Received } from "../p2p/recv.ts";
import { startRecvInto } from "../p2p/recv-into.ts";
import { recvInit, sendInit, type PersistentRequest } from "../p2p/persistent.ts";
import { checkMprobe, startMprobe, type Message } from "../p2p/message.ts";
import { requestFor, type Request } from "../p2p/request.ts";
import type { Status } from "../p2p/status.ts";
import { prepareSend, startSend, startSyncSend } from "../p2p/send.ts";
import { recordSlice, traceNow, tracing } from "../comm-trace/recorder.ts";
import { sourceArg, tagArg } from "../comm-trace/args.ts";
import { freeCore, holdWhilePending, isPredefined, type CommCore } from "../core/comm-core.ts";
import { dupCore } from "./dup.ts";
import { splitCore } from "./split.ts";
import { splitTypeCore } from "./split-type.ts";
import { Group } from "./group.ts";
import { createCore } from "./create.ts";
import { createGroupCore } from "./create-group.ts";
import { compareCores } from "./compare.ts";
import { createCartCore } from "../topo/create.ts";
import { checkTopology, gridSize } from "../topo/topology.ts";
import { createDistGraph, createDistGraphAdjacent, type DistGraphAdjacentOptions, type DistGraphOptions } from "../topo/dist-graph.ts";
import { makeTopologyComm, type TopologyComms } from "./topology-comms.ts";

/** @internal The core behind a communicator, for the runtime's own modules. */
let coreOf: (comm: Comm) => CommCore;

/** @internal The core behind a communicator, for the modules of its subclasses. */
export function commCoreOf(comm: Comm): CommCore {
  return coreOf(comm);
}

/**
 * A communicator: a group of ranks that exchange messages and run collectives together
 * (MPI_Comm; mpi4py's `MPI.Comm` / `Intracomm`). Point-to-point (`send`, `recv`, `isend`,
 * `irecv`, `ssend`, `issend`, `sendrecv`, `isendrecv`, `recvInto`, `sendInit`, `recvInit`,
 * `probe`, `iprobe`, `mprobe`, `improbe`), collectives (`barrier`, `bcast`, `reduce`, `allreduce`,
 * `gather`, `scatter`, `allgather`, `alltoall`, `scan`, `exscan`, `reduceScatter`, the typed-array
 * vector forms with per-rank counts `gatherv`, `scatterv`, `allgatherv`, `alltoallv`, each with an
 * `i`-prefixed nonblocking form that returns a {@link Request}) and new communicators (`dup`,
 * `idup`, `split`, `splitType`, `create`, `createGroup` from a {@link Group}, `createCart`).
 * Messages on one communicator never match those of another.
 *
 * You get the world communicator from `await init()` (MPI_COMM_WORLD) and this process alone from
 * `selfComm()` (MPI_COMM_SELF); the calls above make others. There is no public constructor.
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

  /** A nonblocking collective's request, counted as pending so that `free` lets it finish. */
  #pending<T>(operation: Promise<T>): Request<T> {
    return requestFor(holdWhilePending(this.#core, operation));
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
    return requestFor(startSend(this.#core, "isend", data, dest, tag));
  }

  /**
   * Starts a receive; the request's value is the data, its `status` the envelope once complete.
   * It can be cancelled until a message matches it (`request.cancel()`); it then resolves with
   * `undefined`.
   */
  irecv<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): Request<T> {
    const pending = postReceive(this.#core, "irecv", source, tag);
    return requestFor(decodeReceived<T>(this.#core, "irecv", pending).then((received) => received.data), pending.handle);
  }

  /**
   * Synchronous send (MPI_Ssend): like `send`, but resolves only once a receive on `dest` has
   * matched the message, so a program that relies on buffering deadlocks here as MPI says it may.
   * A synchronous send to PROC_NULL completes at once.
   */
  async ssend(data: unknown, dest: number, tag = 0): Promise<void> {
    await startSyncSend(this.#core, "ssend", data, dest, tag);
  }

  /** Nonblocking synchronous send (MPI_Issend): the request completes once a receive has matched the message. */
  issend(data: unknown, dest: number, tag = 0): Request<void> {
    return requestFor(startSyncSend(this.#core, "issend", data, dest, tag));
  }

  /**
   * Receives a typed array into `buffer` (MPI_Recv with a buffer; mpi4py's `Recv`) and resolves
   * with the status, whose `count` is the number of elements received (the rest of `buffer` is
   * left as it was). The message must be a typed array of `buffer`'s kind (ERR_ARG) and fit in it
   * (ERR_TRUNCATE, naming the rank, the call and both sizes); either way the message has been
   * taken. A receive from PROC_NULL leaves `buffer` alone, with count 0.
   */
  async recvInto(buffer: ArrayBufferView, source: number = ANY_SOURCE, tag: number = ANY_TAG): Promise<Status> {
    return startRecvInto(this.#core, "recvInto", buffer, source, tag);
  }

  /** Sends `data` to `dest` and receives from `source` in one call, without deadlock (MPI_Sendrecv). */
  async sendrecv<T = unknown>(
    data: unknown,
    dest: number,
    source: number = ANY_SOURCE,
    sendTag = 0,
    recvTag: number = ANY_TAG,
  ): Promise<T> {
    const startUs = tracing ? traceNow() : 0;
    const size = tracing ? { bytes: 0 } : undefined;
    const send = prepareSend(this.#core, "sendrecv", data, dest, sendTag, size);
    const received = startRecv<T>(this.#core, "sendrecv", source, recvTag);
    await send();
    if (!tracing) return (await received).data;
    // One slice around both halves: the send's flow leaves it and the receive's arrives in it.
    const { data: value, source: from, tag } = await received;
    const core = this.#core;
    recordSlice("sendrecv", startUs, { dest, sendTag, sentBytes: size!.bytes, peer: from, tag, source: sourceArg(source), requestedTag: tagArg(recvTag), comm: core.p2pContext });
    return value;
  }

  /**
   * Nonblocking sendrecv (MPI_Isendrecv): the send and the receive start at once; the request's
   * value is the data received, its `status` the receive's envelope. Arguments are checked before
   * it returns (a bad send argument leaves no receive posted).
   */
  isendrecv<T = unknown>(data: unknown, dest: number, source: number = ANY_SOURCE, sendTag = 0, recvTag: number = ANY_TAG): Request<T> {
    const send = prepareSend(this.#core, "isendrecv", data, dest, sendTag);
    const pending = postReceive(this.#core, "isendrecv", source, recvTag);
    const sent = send();
    const received = decodeReceived<T>(this.#core, "isendrecv", pending);
    return requestFor(
      Promise.all([sent, received]).then(([, { data: value }]) => value),
      uncancellable(pending.handle),
    );
  }

  /**
   * A persistent send (MPI_Send_init): arguments are checked now; each `start()` sends `data`
   * as it is then (a typed array's current contents), like a send from MPI's buffer.
   */
  sendInit(data: unknown, dest: number, tag = 0): PersistentRequest<void> {
    return sendInit(this.#core, data, dest, tag);
  }

  /** A persistent receive (MPI_Recv_init): arguments are checked now; each `start()` posts it again. */
  recvInit<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): PersistentRequest<T> {
    return recvInit<T>(this.#core, source, tag);
  }

  /** Waits until a matching message has arrived, without receiving it. */
  async probe(source: number = ANY_SOURCE, tag: number = ANY_TAG): Promise<ProbeStatus> {
    return startProbe(this.#core, source, tag);
  }

  /** The envelope of a matching message that has already arrived, or `undefined`. */
  iprobe(source: number = ANY_SOURCE, tag: number = ANY_TAG): ProbeStatus | undefined {
    return checkProbe(this.#core, source, tag);
  }

  /**
   * Matched probe (MPI_Mprobe): waits for a matching message and takes it out of matching, so
   * that no other receive can get it; the returned {@link Message}'s `recv()` gives exactly it.
   * Matching it completes a synchronous send, as a receive would.
   */
  async mprobe<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): Promise<Message<T>> {
    return startMprobe<T>(this.#core, source, tag);
  }

  /** Nonblocking matched probe (MPI_Improbe): a {@link Message} if a matching one has arrived, else `undefined`. */
  improbe<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG): Message<T> | undefined {
    return checkMprobe<T>(this.#core, source, tag);
  }

  // ---- Collectives. Every rank of the communicator must make the same collective calls in the
  // same order; the nonblocking forms (i...) return a Request and may overlap with other work and
  // with collectives on other communicators. Each entry point lives in coll/<collective>/index.ts.

  /** Returns once every rank of the communicator has called it (MPI_Barrier). */
  async barrier(): Promise<void> {
    await barrier(this.#core, "barrier");
  }

  /** Nonblocking barrier (MPI_Ibarrier): the request completes once every rank has called it. */
  ibarrier(): Request<void> {
    return this.#pending(barrier(this.#core, "ibarrier"));
  }

  /**
   * `op` over every rank's `data`, on every rank (MPI_Allreduce). Numbers, bigints, booleans,
   * typed arrays and arrays of numbers (element-wise), `[value, index]` pairs for MINLOC/MAXLOC, or
   * anything for a user function. The result is bitwise equal on every rank.
   */
  async allreduce<T>(data: T, op: OpLike<T>): Promise<T> {
    return allreduce(this.#core, data, op, "allreduce");
  }

  /** Nonblocking allreduce (MPI_Iallreduce). */
  iallreduce<T>(data: T, op: OpLike<T>): Request<T> {
    return this.#pending(allreduce(this.#core, data, op, "iallreduce"));
  }

  /** Every rank's `data`, in rank order, on every rank (MPI_Allgather). */
  async allgather<T>(data: T): Promise<T[]> {
    return allgather(this.#core, data, "allgather");
  }

  /** Nonblocking allgather (MPI_Iallgather). */
  iallgather<T>(data: T): Request<T[]> {
    return this.#pending(allgather(this.#core, data, "iallgather"));
  }

  /**
   * Every rank's typed array, concatenated in rank order, on every rank (MPI_Allgatherv, mpi4py's
   * `Allgatherv`): a new array of `data`'s kind with sum(counts) elements, rank i's block at
   * `counts[0] + ... + counts[i - 1]`. Every rank passes the same `counts`, one non-negative integer
   * per rank, and `data` of exactly `counts[rank]` elements (ERR_COUNT otherwise); counts or kinds
   * that differ between ranks are ERR_COLL_MISMATCH.
   */
  async allgatherv<T extends AnyTypedArray>(data: T, counts: readonly number[]): Promise<T> {
    return allgatherv(this.#core, data, counts, "allgatherv");
  }

  /** Nonblocking allgatherv (MPI_Iallgatherv); arguments are checked before it returns. */
  iallgatherv<T extends AnyTypedArray>(data: T, counts: readonly number[]): Request<T> {
    return this.#pending(allgatherv(this.#core, data, counts, "iallgatherv"));
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
    return bcast(this.#core, data, root, "bcast");
  }

  /** Nonblocking bcast (MPI_Ibcast); arguments are checked before it returns. */
  ibcast<T>(data: T, root = 0): Request<T> {
    return this.#pending(bcast(this.#core, data, root, "ibcast"));
  }

  /**
   * Broadcasts the root's typed array into every rank's `buffer`, which must be of the same kind
   * and length on every rank (MPI_Bcast proper, mpi4py's `Bcast`). Because every rank states the
   * size, large buffers may use a bandwidth-optimal algorithm (scatter + allgather) that `bcast`
   * cannot choose. Returns `buffer`.
   */
  async bcastBuffer<T extends ArrayBufferView>(buffer: T, root = 0): Promise<T> {
    if (!ArrayBuffer.isView(buffer) || buffer instanceof DataView) {
      throw badArgument({ rank: this.#core.rank, call: "bcastBuffer" }, "buffer", buffer, "a typed array");
    }
    return bcast(this.#core, buffer, root, "bcast", true);
  }

  /**
   * `op` over every rank's `data` on `root`, `undefined` on the other ranks (MPI_Reduce). Same data
   * and ops as `allreduce`; a plain function is applied in rank order, `f(f(x0, x1), x2)...`. A typed
   * array result is a new array; the callers' arrays are never changed.
   */
  async reduce<T>(data: T, op: OpLike<T>, root = 0): Promise<T | undefined> {
    return reduce(this.#core, data, op, root, "reduce");
  }

  /** Nonblocking reduce (MPI_Ireduce); arguments are checked before it returns. */
  ireduce<T>(data: T, op: OpLike<T>, root = 0): Request<T | undefined> {
    return this.#pending(reduce(this.#core, data, op, root, "ireduce"));
  }

  // ---- (collectives: data movement goes here: gather, scatter, alltoall, reduceScatter, ...)

  /**
   * Every rank's `data`, in rank order, on `root` (MPI_Gather); the other ranks get `undefined`.
   * Any value; the root's own entry is a copy. Throws ERR_RANK for a root out of range before
   * anything is sent.
   */
  async gather<T>(data: T, root = 0): Promise<T[] | undefined> {
    return gather(this.#core, data, root, "gather");
  }

  /** Nonblocking gather (MPI_Igather); arguments are checked before it returns. */
  igather<T>(data: T, root = 0): Request<T[] | undefined> {
    return this.#pending(gather(this.#core, data, root, "igather"));
  }

  /**
   * Every rank's typed array, concatenated in rank order, on `root` (MPI_Gatherv, mpi4py's
   * `Gatherv`): a new array of `data`'s kind with sum(counts) elements, rank i's block at
   * `counts[0] + ... + counts[i - 1]`; the other ranks get `undefined`. `counts` (one non-negative
   * integer per rank) is read on the root, where it is required; another rank may pass it too, or
   * `undefined`. Each rank's `data` must have exactly `counts[rank]` elements (ERR_COUNT on a rank
   * whose own counts say otherwise, ERR_COLL_MISMATCH when the root's do) and every rank's the same kind.
   */
  async gatherv<T extends AnyTypedArray>(data: T, counts: readonly number[] | undefined, root = 0): Promise<T | undefined> {
    return gatherv(this.#core, data, counts, root, "gatherv");
  }

  /** Nonblocking gatherv (MPI_Igatherv); arguments are checked before it returns. */
  igatherv<T extends AnyTypedArray>(data: T, counts: readonly number[] | undefined, root = 0): Request<T | undefined> {
    return this.#pending(gatherv(this.#core, data, counts, root, "igatherv"));
  }

  /**
   * Rank i gets `items[i]` (MPI_Scatter). `items` is read on the root only (the other ranks may pass
   * `undefined`) and must hold exactly `size` items there (ERR_ARG otherwise); a root out of range
   * is ERR_RANK. Both are checked before anything is sent. Every rank gets a copy.
   */
  async scatter<T>(items: readonly T[] | undefined, root = 0): Promise<T> {
    return scatter(this.#core, items, root, "scatter");
  }

  /** Nonblocking scatter (MPI_Iscatter); arguments are checked before it returns. */
  iscatter<T>(items: readonly T[] | undefined, root = 0): Request<T> {
    return this.#pending(scatter(this.#core, items, root, "iscatter"));
  }

  /**
   * Rank i gets a new typed array of the root's `counts[i]` elements of `data`, cut in rank order
   * (MPI_Scatterv, mpi4py's `Scatterv`). `data` and `counts` are read on the root, where `data` must
   * have exactly sum(counts) elements (ERR_COUNT otherwise); the other ranks pass `undefined` (name
   * the kind: `scatterv<Float64Array>(undefined, undefined, 0)`) or their own `counts`, which are
   * then checked against the root's (ERR_COLL_MISMATCH). Every rank gets the root's kind.
   */
  async scatterv<T extends AnyTypedArray>(data: T | undefined, counts: readonly number[] | undefined, root = 0): Promise<T> {
    return scatterv(this.#core, data, counts, root, "scatterv");
  }

  /** Nonblocking scatterv (MPI_Iscatterv); arguments are checked before it returns. */
  iscatterv<T extends AnyTypedArray>(data: T | undefined, counts: readonly number[] | undefined, root = 0): Request<T> {
    return this.#pending(scatterv(this.#core, data, counts, root, "iscatterv"));
  }

  /**
   * Personalised all-to-all exchange (MPI_Alltoall): `items[i]` goes to rank i, and entry j of the
   * result came from rank j. `items` must hold exactly `size` items (ERR_ARG otherwise).
   */
  async alltoall<T>(items: readonly T[]): Promise<T[]> {
    return alltoall(this.#core, items, "alltoall");
  }

  /** Nonblocking alltoall (MPI_Ialltoall); arguments are checked before it returns. */
  ialltoall<T>(items: readonly T[]): Request<T[]> {
    return this.#pending(alltoall(this.#core, items, "ialltoall"));
  }

  /**
   * Personalised all-to-all exchange of typed-array blocks (MPI_Alltoallv, mpi4py's `Alltoallv`):
   * `data` holds this rank's blocks for ranks 0, 1, ... in order, `sendCounts[i]` elements for rank
   * i, exactly sum(sendCounts) elements in all; the result is a new array of `data`'s kind holding
   * the blocks from ranks 0, 1, ... in order, `recvCounts[j]` elements from rank j. Counts are one
   * non-negative integer per rank (ERR_COUNT otherwise); `recvCounts[j]` must equal rank j's
   * `sendCounts[rank]`, and every rank's data be of one kind (ERR_COLL_MISMATCH otherwise).
   */
  async alltoallv<T extends AnyTypedArray>(data: T, sendCounts: readonly number[], recvCounts: readonly number[]): Promise<T> {
    return alltoallv(this.#core, data, sendCounts, recvCounts, "alltoallv");
  }

  /** Nonblocking alltoallv (MPI_Ialltoallv); arguments are checked before it returns. */
  ialltoallv<T extends AnyTypedArray>(data: T, sendCounts: readonly number[], recvCounts: readonly number[]): Request<T> {
    return this.#pending(alltoallv(this.#core, data, sendCounts, recvCounts, "ialltoallv"));
  }

  /**
   * Inclusive prefix reduction (MPI_Scan): rank r gets `x0 op x1 op ... op xr`, applied in rank
   * order, so a plain (non-commutative) function sees its operands in order. Same data and ops as
   * `allreduce`; data of different kinds or lengths on different ranks is ERR_COLL_MISMATCH.
   */
  async scan<T>(data: T, op: OpLike<T>): Promise<T> {
    return scan(this.#core, data, op, "scan");
  }

  /** Nonblocking scan (MPI_Iscan); arguments are checked before it returns. */
  iscan<T>(data: T, op: OpLike<T>): Request<T> {
    return this.#pending(scan(this.#core, data, op, "iscan"));
  }

  /**
   * Exclusive prefix reduction (MPI_Exscan): rank r > 0 gets `x0 op ... op x(r-1)` in rank order;
   * rank 0 gets `undefined`. Same data, ops and errors as `scan`.
   */
  async exscan<T>(data: T, op: OpLike<T>): Promise<T | undefined> {
    return exscan(this.#core, data, op, "exscan");
  }

  /** Nonblocking exscan (MPI_Iexscan); arguments are checked before it returns. */
  iexscan<T>(data: T, op: OpLike<T>): Request<T | undefined> {
    return this.#pending(exscan(this.#core, data, op, "iexscan"));
  }

  /**
   * Reduces `data` element-wise over all ranks with `op`, then rank i keeps block i
   * (MPI_Reduce_scatter; mpi4py's `reduce_scatter(sendobj, recvcounts, op)`). With `counts` (one
   * non-negative integer per rank, the same on every rank, adding up to n: ERR_COUNT otherwise,
   * ERR_COLL_MISMATCH when ranks differ) rank i gets `counts[i]` elements, starting at
   * `counts[0] + ... + counts[i - 1]`. Without, the most even blocks (MPI_Reduce_scatter_block as
   * near as n allows): every rank gets floor(n / p) and the first n % p ranks one more, so rank i's
   * block starts at i * floor(n / p) + min(i, n % p).
   * `data` is a typed array (reduced in place on a private copy; the result is the same kind) or an
   * array, of the same kind and length on every rank (ERR_COLL_MISMATCH otherwise). A user op gets
   * whole vectors or blocks of them and must work element-wise; a non-commutative one is applied in
   * rank order.
   */
  async reduceScatter<T extends ArrayLike<unknown>>(data: T, op: OpLike<T>, counts?: readonly number[]): Promise<T> {
    return reduceScatter(this.#core, data as never, op, counts, "reduceScatter") as Promise<T>;
  }

  /** Nonblocking reduceScatter (MPI_Ireduce_scatter); arguments are checked before it returns. */
  ireduceScatter<T extends ArrayLike<unknown>>(data: T, op: OpLike<T>, counts?: readonly number[]): Request<T> {
    return this.#pending(reduceScatter(this.#core, data as never, op, counts, "ireduceScatter") as Promise<T>);
  }

  /**
   * A communicator with a Cartesian grid on its ranks (MPI_Cart_create): `dims[d]` ranks along
   * dimension d, which wraps around when `periods[d]` is true. Grid ranks are laid out row-major
   * (the last dimension varies fastest). Ranks from product(dims) up get `undefined`; a grid larger
   * than the communicator is ERR_ARG. Collective: every rank must call it with the same arguments.
   *
   * `reorder` is accepted (it must be a boolean) but the rank order is kept: grid rank r is always
   * this communicator's rank r, whatever `reorder` says, so a program that passes `true` gets a
   * correct grid that is not placed to suit the machine.
   */
  async createCart(dims: readonly number[], periods: readonly boolean[], reorder = false): Promise<TopologyComms["cart"] | undefined> {
    const core = this.#core;
    checkCollectiveArguments(core, "createCart", () => {
      checkTopology(core.rank, "createCart", dims, periods);
      if (typeof reorder !== "boolean") throw badArgument({ rank: core.rank, call: "createCart" }, "reorder", reorder, "true or false");
      const size = gridSize(dims);
      if (size > core.size) {
        throw invalidArguments(
          { rank: core.rank, call: "createCart" },
          `the grid [${dims.join(", ")}] needs ${size} ranks but the communicator has ${core.size}`,
          "dims",
        );
      }
    });
    const topology = { dims: [...dims], periods: [...periods] };
    const cartCore = await createCartCore(core, topology);
    return cartCore === undefined ? undefined : makeTopologyComm("cart", cartCore, topology);
  }

  /**
   * A communicator with a distributed graph on its ranks, each rank naming its own edges
   * (MPI_Dist_graph_create_adjacent; mpi4py's `Create_dist_graph_adjacent`): this rank receives
   * from `sources` and sends to `destinations`, in that order in the neighbourhood collectives.
   * Every edge must be named at both ends: if rank i lists j among its destinations k times, j
   * lists i among its sources k times (with the same weights, in the same order). Repeated edges
   * are allowed. Give `sourceWeights` and `destWeights` for a weighted graph, on every rank or
   * none (ERR_COLL_MISMATCH). `reorder` is accepted but the rank order is kept. Every rank of this communicator is in
   * the graph. Collective; ranks out of range (ERR_RANK), weights of the wrong length and edges
   * named at one end only (ERR_ARG) fail the call on every rank.
   */
  async createDistGraphAdjacent(sources: readonly number[], destinations: readonly number[], options: DistGraphAdjacentOptions = {}): Promise<TopologyComms["distGraph"]> {
    const { core, topology } = await createDistGraphAdjacent(this.#core, sources, destinations, options);
    return makeTopologyComm("distGraph", core, topology);
  }

  /**
   * A communicator with a distributed graph on its ranks, any rank naming edges of any rank
   * (MPI_Dist_graph_create; mpi4py's `Create_dist_graph`): for each i, `degrees[i]` edges leave
   * `sources[i]`, to the next `degrees[i]` entries of `destinations` (which holds the edges of
   * `sources[0]` first, then those of `sources[1]`, ...); `weights`, if given, has one weight per
   * destination, and every rank must give weights (an empty array if it names no edges) or none
   * (ERR_COLL_MISMATCH). Each rank's neighbours are ordered by the rank that named the edge, then in the
   * order that rank named them. A rank may name no edges (empty arrays). `reorder` is accepted but
   * the rank order is kept. Collective; ranks out of range (ERR_RANK), negative degrees or
   * weights of the wrong length (ERR_ARG) fail the call on every rank.
   */
  async createDistGraph(
    sources: readonly number[],
    degrees: readonly number[],
    destinations: readonly number[],
    options: DistGraphOptions = {},
  ): Promise<TopologyComms["distGraph"]> {
    const { core, topology } = await createDistGraph(this.#core, sources, degrees, destinations, options);
    return makeTopologyComm("distGraph", core, topology);
  }

  /**
   * The topology on this communicator (MPI_Topo_test; mpi4py's `Get_topology`): `CART` for a
   * `CartComm`, `DIST_GRAPH` for a `DistGraphComm`, `UNDEFINED` for none.
   * (`GRAPH`, MPI's older graph topology, is never returned: tsmpi has no such communicator.)
   */
  topoTest(): number {
    return UNDEFINED;
  }

  /**
   * A new communicator with the same ranks whose messages and collectives never match this one's
   * (MPI_Comm_dup), of the same kind (a CartComm's keeps its grid, a DistGraphComm's its graph).
   * Collective: every rank must call it.
   */
  async dup(): Promise<this> {
    return this.sameKindOn(await dupCore(this.#core));
  }

  /** Nonblocking dup (MPI_Comm_idup): the request's value is the new communicator. */
  idup(): Request<this> {
    return this.#pending(dupCore(this.#core, "idup").then((core) => this.sameKindOn(core)));
  }

  /**
   * @internal A communicator of this one's kind, with its topology, over `core`: what dup and idup
   * make. The communicators with a topology override it.
   */
  protected sameKindOn(core: CommCore): this {
    return new Comm(core) as this;
  }

  /** The communicator's group (MPI_Comm_group; mpi4py's `comm.group`): its ranks, in rank order. */
  get group(): Group {
    return new Group(this.#core.group, this.#core.engine.worldRank);
  }

  /**
   * A communicator of the ranks in `group`, ranked as in the group (MPI_Comm_create): its members
   * get it, the other ranks `undefined`. Collective: every rank must call it, with the same group
   * or (as MPI allows) each with a group it is in, the groups disjoint; groups neither the same nor
   * disjoint are ERR_COLL_MISMATCH on every rank. A group with a process outside this communicator
   * is ERR_GROUP.
   */
  async create(group: Group): Promise<Comm | undefined> {
    const core = await createCore(this.#core, group);
    return core === undefined ? undefined : new Comm(core);
  }

  /**
   * A communicator of the ranks in `group` (MPI_Comm_create_group): only the group's members call
   * it, the rest of this communicator takes no part. Calls on one communicator with overlapping
   * groups at once need different `tag`s. A group with a process outside this communicator or
   * without this rank is ERR_GROUP, a bad tag ERR_TAG; a fault found on one member reaches the
   * others through the group's rank 0, and every member rejects, naming the rank that found it.
   * Members that passed different groups get ERR_COLL_MISMATCH. A member that passes something
   * that is not a Group, or a tag only it finds bad, rejects alone.
   */
  async createGroup(group: Group, tag = 0): Promise<Comm> {
    return new Comm(await createGroupCore(this.#core, group, tag));
  }

  /**
   * Splits the communicator by kind (MPI_Comm_split_type): with `COMM_TYPE_SHARED`, one
   * communicator for the ranks of each host (those that can share memory), ranked by `key` (ties by
   * their rank here). A rank passing `UNDEFINED` gets `undefined`; any other type is ERR_ARG.
   * Collective: every rank must call it.
   */
  async splitType(splitType: number, key: number = this.#core.rank): Promise<Comm | undefined> {
    const core = await splitTypeCore(this.#core, splitType, key);
    return core === undefined ? undefined : new Comm(core);
  }

  /**
   * How two communicators relate (MPI_Comm_compare): `IDENT` for the same one, `CONGRUENT` for
   * the same ranks in the same order, `SIMILAR` for the same ranks in another order, `UNEQUAL`
   * otherwise. Local: nothing is sent.
   */
  static compare(a: Comm, b: Comm): number {
    if (!(a instanceof Comm) || !(b instanceof Comm)) {
      throw wrongCommunicator({ call: "compare" }, "both arguments must be communicators", a instanceof Comm ? "b" : "a", a instanceof Comm ? b : a);
    }
    return compareCores(a.#core, b.#core);
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
   * Releases the communicator (MPI_Comm_free); any later call on it fails with ERR_COMM.
   * Operations already started on it (posted receives, nonblocking collectives) complete normally:
   * its contexts are released once the last of them has. The world and self communicators cannot be freed.
   */
  free(): void {
    if (isPredefined(this.#core)) {
      throw wrongCommunicator({ rank: this.#core.rank, call: "free" }, "the world and self communicators cannot be freed");
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
