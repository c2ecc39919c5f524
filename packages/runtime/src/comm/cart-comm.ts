/**
 * `CartComm`, the communicator with a Cartesian grid (MPI_Cart_*). The grid arithmetic is in
 * topo/topology.ts, the communicators it makes in topo/create.ts; `Comm.createCart` makes a
 * CartComm through topology-comms.ts, registered below, since this module imports comm.ts.
 */
import { CART } from "../constants.ts";
import { checkCollectiveArguments } from "../coll/collective.ts";
import type { CommCore } from "../core/comm-core.ts";
import { badArgument, noSuchRank, rankOutOfRange, rankRange } from "../errors.ts";
import { subCore } from "../topo/create.ts";
import { cartNeighbourhood, coordsOfRank, rankAt, shiftFrom, type CartShift, type CartTopology } from "../topo/topology.ts";
import { commCoreOf } from "./comm.ts";
import { TopoComm } from "./topo-comm.ts";
import { registerTopologyComm } from "./topology-comms.ts";

declare module "./topology-comms.ts" {
  interface TopologyComms {
    cart: CartComm;
  }
}

/**
 * A communicator whose ranks are laid out on a Cartesian grid (MPI_Cart_create, MPI_Cart_coords,
 * MPI_Cart_rank, MPI_Cart_shift, MPI_Cart_sub; mpi4py's `MPI.Cartcomm`). Everything a
 * {@link Comm} does, plus `dims`/`periods`/`coords`, `rankOf`, `coordsOf`, `shift`, `sub` and the
 * neighbour collectives of a {@link TopoComm} (`neighborAlltoall`, `neighborAllgather`, their v
 * forms), whose neighbours are the 2 * ndims grid neighbours in MPI's order: for each dimension,
 * the negative then the positive direction. Ranks are row-major: the last dimension varies fastest.
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
export class CartComm extends TopoComm {
  /** Extent of each dimension. */
  readonly dims: readonly number[];
  /** Whether each dimension wraps around. */
  readonly periods: readonly boolean[];
  /** This rank's coordinates in the grid. */
  readonly coords: readonly number[];
  readonly #topology: CartTopology;

  /** @internal CartComms come from `Comm.createCart`, `sub` and `dup`. */
  constructor(core: CommCore, topology: CartTopology) {
    super(core, cartNeighbourhood(topology, core.rank));
    this.dims = Object.freeze([...topology.dims]);
    this.periods = Object.freeze([...topology.periods]);
    this.#topology = { dims: this.dims, periods: this.periods };
    this.coords = Object.freeze(coordsOfRank(this.#topology, this.rank));
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
      throw badArgument({ rank: this.rank, call: "rankOf" }, "coords", coords, `an array of ${this.ndims} integers`);
    }
    const rank = rankAt(this.#topology, coords);
    if (rank === undefined) {
      const d = coords.findIndex((c, dim) => !this.periods[dim] && (c < 0 || c >= this.dims[dim]!));
      throw noSuchRank(
        { rank: this.rank, call: "rankOf" },
        "coords",
        `coords [${coords.join(", ")}] are off the grid: dimension ${d} is not periodic, so its coordinate must be ${rankRange(this.dims[d]!)} (dims [${this.dims.join(", ")}])`,
      );
    }
    return rank;
  }

  /** The coordinates of `rank` (MPI_Cart_coords). */
  coordsOf(rank: number): number[] {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.size) {
      throw rankOutOfRange({ rank: this.rank, call: "coordsOf" }, "rank", rank, this.size);
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
      throw badArgument({ rank: this.rank, call: "shift" }, "dim", dim, this.ndims === 0 ? "a dimension, but the grid has none" : rankRange(this.ndims));
    }
    if (!Number.isInteger(disp)) {
      throw badArgument({ rank: this.rank, call: "shift" }, "disp", disp, "an integer");
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
    checkCollectiveArguments(commCoreOf(this), "sub", () => {
      if (!Array.isArray(remainDims) || remainDims.length !== this.ndims || !remainDims.every((keep) => typeof keep === "boolean")) {
        throw badArgument({ rank: this.rank, call: "sub" }, "remainDims", remainDims, `an array of ${this.ndims} booleans`);
      }
    });
    const core = await subCore(commCoreOf(this), this.#topology, remainDims);
    const kept = (_: unknown, d: number): boolean => remainDims[d]!;
    return new CartComm(core, { dims: this.dims.filter(kept), periods: this.periods.filter(kept) });
  }

  /** `CART` (MPI_Topo_test). */
  override topoTest(): number {
    return CART;
  }

  /** @internal dup and idup keep the grid. */
  protected override sameKindOn(core: CommCore): this {
    return new CartComm(core, this.#topology) as this;
  }
}

registerTopologyComm("cart", (core, topology) => new CartComm(core, topology));
