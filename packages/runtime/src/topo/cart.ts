/**
 * `CartComm`: a communicator with a Cartesian grid on its ranks (MPI_Cart_create and friends), for
 * halo-exchange programs. The grid arithmetic is in topology.ts, the communicators it makes in
 * create.ts, the neighbour exchange in neighbor.ts; this file is the facade.
 */
import { Comm, coreOf } from "../comm/comm.ts";
import type { CommCore } from "../comm/core.ts";
import { dupCore } from "../comm/dup.ts";
import { TsmpiError } from "../errors.ts";
import { Request } from "../p2p/request.ts";
import { createCartCore, subCore } from "./create.ts";
import { neighborAllgather, neighborAlltoall } from "./neighbor.ts";
import {
  checkTopology,
  coordsOfRank,
  gridSize,
  neighboursOf,
  rankAt,
  shiftFrom,
  type CartShift,
  type CartTopology,
} from "./topology.ts";

/**
 * A communicator whose ranks are laid out on a Cartesian grid (MPI_Cart_create, MPI_Cart_coords,
 * MPI_Cart_rank, MPI_Cart_shift, MPI_Cart_sub; mpi4py's `MPI.Cartcomm`). Everything a
 * {@link Comm} does, plus `dims`/`periods`/`coords`, `rankOf`, `coordsOf`, `shift`, `sub` and the
 * neighbour collectives `neighborAlltoall`/`neighborAllgather` (MPI_Neighbor_alltoall/allgather).
 * Ranks are row-major: the last dimension varies fastest.
 *
 * You get one from `comm.createCart(dims, periods)` (collective; `undefined` on ranks left out
 * when the grid is smaller than the communicator), or from `cart.sub(...)` and `cart.dup()`.
 *
 * @example
 * ```ts
 * const cart = (await world.createCart(computeDims(world.size, 2), [true, false]))!;
 * const { source, dest } = cart.shift(0, 1);     // mpi4py: cart.Shift(0, 1)
 * const fromAbove = await cart.sendrecv(myEdge, dest, source);
 * ```
 */
export class CartComm extends Comm {
  /** Extent of each dimension. */
  readonly dims: readonly number[];
  /** Whether each dimension wraps around. */
  readonly periods: readonly boolean[];
  /** This rank's coordinates in the grid. */
  readonly coords: readonly number[];
  readonly #topology: CartTopology;
  /** The 2 * ndims neighbours in MPI's order (per dimension: negative, positive). */
  readonly #neighbours: readonly number[];

  /** @internal CartComms come from `Comm.createCart`, `sub` and `dup`. */
  constructor(core: CommCore, topology: CartTopology) {
    super(core);
    this.dims = Object.freeze([...topology.dims]);
    this.periods = Object.freeze([...topology.periods]);
    this.#topology = { dims: this.dims, periods: this.periods };
    this.coords = Object.freeze(coordsOfRank(this.#topology, this.rank));
    this.#neighbours = Object.freeze(neighboursOf(this.#topology, this.rank));
  }

  /** Number of dimensions. */
  get ndims(): number {
    return this.dims.length;
  }

  /**
   * The rank at `coords` (MPI_Cart_rank). Coordinates on a periodic dimension wrap around; off the
   * grid on a non-periodic one is ERR_RANK.
   */
  rankOf(coords: readonly number[]): number {
    if (!Array.isArray(coords) || coords.length !== this.ndims || !coords.every((c) => Number.isInteger(c))) {
      throw new TsmpiError("ERR_ARG", { rank: this.rank, call: "rankOf", argument: "coords", got: coords, expected: `an array of ${this.ndims} integers` });
    }
    const rank = rankAt(this.#topology, coords);
    if (rank === undefined) {
      const d = coords.findIndex((c, dim) => !this.periods[dim] && (c < 0 || c >= this.dims[dim]!));
      throw new TsmpiError(
        "ERR_RANK",
        { rank: this.rank, call: "rankOf", argument: "coords" },
        `coords [${coords.join(", ")}] are off the grid: dimension ${d} is not periodic, so its coordinate must be ${range(this.dims[d]!)} (dims [${this.dims.join(", ")}])`,
      );
    }
    return rank;
  }

  /** The coordinates of `rank` (MPI_Cart_coords). */
  coordsOf(rank: number): number[] {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.size) {
      throw new TsmpiError("ERR_RANK", { rank: this.rank, call: "coordsOf", argument: "rank", got: rank, expected: `${range(this.size)} (size ${this.size})` });
    }
    return coordsOfRank(this.#topology, rank);
  }

  /**
   * The ranks `disp` steps back (`source`) and forward (`dest`) along dimension `dim`
   * (MPI_Cart_shift); PROC_NULL past the edge of a non-periodic dimension. A negative `disp`
   * swaps the directions. Feed the result to `sendrecv(data, dest, source)`.
   */
  shift(dim: number, disp = 1): CartShift {
    if (!Number.isInteger(dim) || dim < 0 || dim >= this.ndims) {
      throw new TsmpiError("ERR_ARG", { rank: this.rank, call: "shift", argument: "dim", got: dim, expected: this.ndims === 0 ? "a dimension, but the grid has none" : range(this.ndims) });
    }
    if (!Number.isInteger(disp)) {
      throw new TsmpiError("ERR_ARG", { rank: this.rank, call: "shift", argument: "disp", got: disp, expected: "an integer" });
    }
    return shiftFrom(this.#topology, this.rank, dim, disp);
  }

  /**
   * Splits the grid into lower-dimensional grids (MPI_Cart_sub): `remainDims[d]` keeps dimension d.
   * Ranks that share their coordinates in every dropped dimension form one CartComm of the kept
   * dimensions. On a 3 x 4 grid `sub([false, true])` gives the rows, `sub([true, false])` the
   * columns. Collective: every rank must call it with the same `remainDims`.
   */
  async sub(remainDims: readonly boolean[]): Promise<CartComm> {
    if (!Array.isArray(remainDims) || remainDims.length !== this.ndims || !remainDims.every((keep) => typeof keep === "boolean")) {
      throw new TsmpiError("ERR_ARG", { rank: this.rank, call: "sub", argument: "remainDims", got: remainDims, expected: `an array of ${this.ndims} booleans` });
    }
    const core = await subCore(coreOf(this), this.#topology, remainDims);
    const kept = (_: unknown, d: number): boolean => remainDims[d]!;
    return new CartComm(core, { dims: this.dims.filter(kept), periods: this.periods.filter(kept) });
  }

  /**
   * Halo exchange in one call (MPI_Neighbor_alltoall): `items` holds one item per neighbour in MPI's
   * order (for each dimension, the negative then the positive direction: 2 * ndims items);
   * `items[i]` goes to neighbour i, and entry i of the result is what neighbour i sent towards this
   * rank, `undefined` past a non-periodic edge. So entry 2d is what the negative neighbour sent in
   * its positive direction. Typed arrays travel as raw bytes. Collective over the communicator.
   */
  async neighborAlltoall<T>(items: readonly T[]): Promise<(T | undefined)[]> {
    return neighborAlltoall(coreOf(this), this.#neighbours, items);
  }

  /**
   * Nonblocking neighborAlltoall (MPI_Ineighbor_alltoall): start the halo exchange, compute the
   * interior, then await the request. Arguments are checked and `items` copied before it returns.
   */
  ineighborAlltoall<T>(items: readonly T[]): Request<(T | undefined)[]> {
    return new Request(neighborAlltoall(coreOf(this), this.#neighbours, items, "ineighborAlltoall"));
  }

  /** `item` to every neighbour; entry i is neighbour i's item, `undefined` for PROC_NULL (MPI_Neighbor_allgather). */
  async neighborAllgather<T>(item: T): Promise<(T | undefined)[]> {
    return neighborAllgather(coreOf(this), this.#neighbours, item);
  }

  /** Nonblocking neighborAllgather (MPI_Ineighbor_allgather). */
  ineighborAllgather<T>(item: T): Request<(T | undefined)[]> {
    return new Request(neighborAllgather(coreOf(this), this.#neighbours, item, "ineighborAllgather"));
  }

  /** A duplicate with the same grid (MPI_Comm_dup keeps the topology). Collective. */
  override async dup(): Promise<CartComm> {
    return new CartComm(await dupCore(coreOf(this)), this.#topology);
  }
}

/**
 * `Comm.createCart` (MPI_Cart_create), kept here so that comm.ts needs CartComm only as a type.
 * `reorder` is accepted and ignored: grid rank r is always communicator rank r.
 * @internal
 */
export async function createCart(comm: Comm, dims: readonly number[], periods: readonly boolean[], reorder: boolean): Promise<CartComm | undefined> {
  const core = coreOf(comm);
  checkTopology(core.rank, "createCart", dims, periods);
  if (typeof reorder !== "boolean") {
    throw new TsmpiError("ERR_ARG", { rank: core.rank, call: "createCart", argument: "reorder", got: reorder, expected: "true or false" });
  }
  const size = gridSize(dims);
  if (size > core.size) {
    throw new TsmpiError(
      "ERR_ARG",
      { rank: core.rank, call: "createCart", argument: "dims" },
      `the grid [${dims.join(", ")}] needs ${size} ranks but the communicator has ${core.size}`,
    );
  }
  const topology = { dims: [...dims], periods: [...periods] };
  const cartCore = await createCartCore(core, topology);
  return cartCore === undefined ? undefined : new CartComm(cartCore, topology);
}


function range(extent: number): string {
  return extent === 1 ? "0" : `0..${extent - 1}`;
}
