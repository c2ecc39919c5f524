/**
 * `TopoComm`, what the communicators with a topology share (mpi4py's `Topocomm`): the
 * neighbourhood collectives over the in- and out-neighbours the topology gives
 * (coll/neighbor/). CartComm and DistGraphComm extend it.
 */
import { neighborAllgather, neighborAllgatherv, neighborAlltoall, neighborAlltoallv } from "../coll/neighbor/index.ts";
import type { Neighbourhood } from "../coll/neighbor/neighbourhood.ts";
import { holdWhilePending, type CommCore } from "../core/comm-core.ts";
import type { AnyTypedArray } from "../wire/typed-array.ts";
import { requestFor, type Request } from "../p2p/request.ts";
import { Comm, commCoreOf } from "./comm.ts";

/**
 * A communicator with a process topology (mpi4py's `MPI.Topocomm`): everything a {@link Comm}
 * does, plus the neighbourhood collectives, which exchange data with this rank's in-neighbours
 * (whom it receives from) and out-neighbours (whom it sends to) only. Results come in
 * in-neighbour order, items go in out-neighbour order:
 * - on a {@link CartComm} both are the 2 * ndims grid neighbours in MPI's order: for each
 *   dimension the negative, then the positive direction (PROC_NULL past a non-periodic edge,
 *   whose result entry is `undefined`);
 * - on a {@link DistGraphComm} they are `sources` and `destinations`.
 *
 * Every rank of the communicator must call the same neighbourhood collectives in the same order.
 * Typed arrays travel as raw bytes. The nonblocking forms (`ineighbor...`) check their arguments
 * and copy the data before they return.
 */
export class TopoComm extends Comm {
  readonly #neighbourhood: Neighbourhood;

  /** @internal TopoComms come from `createCart` and `createDistGraph*`. */
  constructor(core: CommCore, neighbourhood: Neighbourhood) {
    super(core);
    this.#neighbourhood = neighbourhood;
  }

  /** Number of in-neighbours: entries of a neighbourhood collective's result (PROC_NULL ones included). */
  get inDegree(): number {
    return this.#neighbourhood.sources.length;
  }

  /** Number of out-neighbours: items a neighbourhood collective sends (PROC_NULL ones included). */
  get outDegree(): number {
    return this.#neighbourhood.destinations.length;
  }

  #start<T>(run: (core: CommCore, neighbourhood: Neighbourhood) => Promise<T>): Promise<T> {
    return run(commCoreOf(this), this.#neighbourhood);
  }

  #request<T>(run: (core: CommCore, neighbourhood: Neighbourhood) => Promise<T>): Request<T> {
    const core = commCoreOf(this);
    return requestFor(holdWhilePending(core, run(core, this.#neighbourhood)));
  }

  /**
   * Personalised exchange with the neighbours (MPI_Neighbor_alltoall): `items[i]` goes to
   * out-neighbour i (`outDegree` items), and entry j of the result is what in-neighbour j sent
   * towards this rank, `undefined` for PROC_NULL. On a grid, entry 2d is what the negative
   * neighbour along d sent in its positive direction: a halo exchange in one call.
   */
  async neighborAlltoall<T>(items: readonly T[]): Promise<(T | undefined)[]> {
    return this.#start((core, hood) => neighborAlltoall(core, hood, items, "neighborAlltoall"));
  }

  /**
   * Nonblocking neighborAlltoall (MPI_Ineighbor_alltoall): start the halo exchange, compute the
   * interior, then await the request. Arguments are checked and `items` copied before it returns.
   */
  ineighborAlltoall<T>(items: readonly T[]): Request<(T | undefined)[]> {
    return this.#request((core, hood) => neighborAlltoall(core, hood, items, "ineighborAlltoall"));
  }

  /** `item` to every out-neighbour; entry j is in-neighbour j's item, `undefined` for PROC_NULL (MPI_Neighbor_allgather). */
  async neighborAllgather<T>(item: T): Promise<(T | undefined)[]> {
    return this.#start((core, hood) => neighborAllgather(core, hood, item, "neighborAllgather"));
  }

  /** Nonblocking neighborAllgather (MPI_Ineighbor_allgather). */
  ineighborAllgather<T>(item: T): Request<(T | undefined)[]> {
    return this.#request((core, hood) => neighborAllgather(core, hood, item, "ineighborAllgather"));
  }

  /**
   * `data` (a typed array) to every out-neighbour, and a new array of its kind holding
   * `recvCounts[j]` elements from in-neighbour j, one block after another in in-neighbour order
   * (MPI_Neighbor_allgatherv with the displacements the running sums of the counts). A PROC_NULL
   * neighbour's block stays zero. A neighbour whose data has another kind or length than its count
   * here is ERR_COLL_MISMATCH; bad counts are ERR_ARG.
   */
  async neighborAllgatherv<T extends ArrayBufferView>(data: T, recvCounts: readonly number[]): Promise<T> {
    return this.#start((core, hood) => neighborAllgatherv(core, hood, data as T & AnyTypedArray, recvCounts, "neighborAllgatherv"));
  }

  /** Nonblocking neighborAllgatherv (MPI_Ineighbor_allgatherv). */
  ineighborAllgatherv<T extends ArrayBufferView>(data: T, recvCounts: readonly number[]): Request<T> {
    return this.#request((core, hood) => neighborAllgatherv(core, hood, data as T & AnyTypedArray, recvCounts, "ineighborAllgatherv"));
  }

  /**
   * Personalised exchange of typed-array blocks (MPI_Neighbor_alltoallv with the displacements the
   * running sums of the counts): `data` is cut into consecutive blocks of `sendCounts[i]` elements
   * (the counts must add up to `data.length`), block i to out-neighbour i; the result, a new array
   * of `data`'s kind, holds `recvCounts[j]` elements from in-neighbour j, in in-neighbour order. A
   * block of another kind or length than its count here is ERR_COLL_MISMATCH; bad counts are
   * ERR_ARG.
   */
  async neighborAlltoallv<T extends ArrayBufferView>(data: T, sendCounts: readonly number[], recvCounts: readonly number[]): Promise<T> {
    return this.#start((core, hood) => neighborAlltoallv(core, hood, data as T & AnyTypedArray, sendCounts, recvCounts, "neighborAlltoallv"));
  }

  /** Nonblocking neighborAlltoallv (MPI_Ineighbor_alltoallv). */
  ineighborAlltoallv<T extends ArrayBufferView>(data: T, sendCounts: readonly number[], recvCounts: readonly number[]): Request<T> {
    return this.#request((core, hood) => neighborAlltoallv(core, hood, data as T & AnyTypedArray, sendCounts, recvCounts, "ineighborAlltoallv"));
  }
}
