/**
 * Grid arithmetic of a Cartesian topology: coordinates, ranks, shifts and the neighbour list. Pure
 * functions of (dims, periods); ranks are laid out row-major, the last dimension varying fastest,
 * as in MPI.
 * Internal to the runtime, not part of its API.
 */
import { PROC_NULL } from "../constants.ts";
import { badArgument } from "../errors.ts";
import type { Neighbourhood } from "../coll/neighbor/neighbourhood.ts";

export interface CartTopology {
  readonly dims: readonly number[];
  readonly periods: readonly boolean[];
}

/** What `CartComm.shift` returns (MPI_Cart_shift): the ranks to receive from and to send to. */
export interface CartShift {
  /** The rank `disp` steps back along the dimension, or PROC_NULL past a non-periodic edge. */
  readonly source: number;
  /** The rank `disp` steps forward along the dimension, or PROC_NULL past a non-periodic edge. */
  readonly dest: number;
}

export function gridSize(dims: readonly number[]): number {
  return dims.reduce((product, extent) => product * extent, 1);
}

export function coordsOfRank(topology: CartTopology, rank: number): number[] {
  const { dims } = topology;
  const coords = new Array<number>(dims.length);
  let rest = rank;
  for (let d = dims.length - 1; d >= 0; d--) {
    coords[d] = rest % dims[d]!;
    rest = Math.floor(rest / dims[d]!);
  }
  return coords;
}

/** The rank at `coords`, wrapping periodic dimensions; undefined off the grid on a non-periodic one. */
export function rankAt(topology: CartTopology, coords: readonly number[]): number | undefined {
  const { dims, periods } = topology;
  let rank = 0;
  for (let d = 0; d < dims.length; d++) {
    const extent = dims[d]!;
    let c = coords[d]!;
    if (periods[d]) c = ((c % extent) + extent) % extent;
    else if (c < 0 || c >= extent) return undefined;
    rank = rank * extent + c;
  }
  return rank;
}

/** MPI_Cart_shift from `rank`'s position. */
export function shiftFrom(topology: CartTopology, rank: number, dim: number, disp: number): CartShift {
  const coords = coordsOfRank(topology, rank);
  const at = (offset: number): number => {
    const moved = coords.slice();
    moved[dim] = coords[dim]! + offset;
    return rankAt(topology, moved) ?? PROC_NULL;
  };
  return { source: at(-disp), dest: at(disp) };
}

/**
 * The 2 * ndims neighbours in MPI's order: for each dimension the negative, then the positive
 * direction; PROC_NULL past a non-periodic edge. A rank may appear more than once (a periodic
 * dimension of extent 1 or 2).
 */
export function neighboursOf(topology: CartTopology, rank: number): number[] {
  const neighbours: number[] = [];
  for (let dim = 0; dim < topology.dims.length; dim++) {
    const { source, dest } = shiftFrom(topology, rank, dim, 1);
    neighbours.push(source, dest);
  }
  return neighbours;
}

const CART_ORDER = "2 per dimension: negative, then positive direction";

/**
 * The grid as a neighbourhood: in- and out-neighbours are both the `neighboursOf` list. The step
 * of a message is the direction it travels in, so a rank receives from its negative neighbour
 * (index 2d) on step 2d + 1, what that neighbour sent forward, and from its positive neighbour on
 * step 2d. When both neighbours are one rank (a periodic dimension of extent 2) or this rank
 * itself (extent 1), the two messages still differ by step.
 */
export function cartNeighbourhood(topology: CartTopology, rank: number): Neighbourhood {
  const neighbours = neighboursOf(topology, rank);
  return {
    sources: neighbours.map((peer, index) => ({ rank: peer, step: index ^ 1 })),
    destinations: neighbours.map((peer, index) => ({ rank: peer, step: index })),
    destinationOrder: CART_ORDER,
    sourceOrder: CART_ORDER,
  };
}

/** ERR_ARG unless `dims` and `periods` describe a grid (`call` names the user's call). */
export function checkTopology(rank: number, call: string, dims: unknown, periods: unknown): asserts dims is number[] {
  if (!Array.isArray(dims)) {
    throw badArgument({ rank, call }, "dims", dims, "an array of integers >= 1");
  }
  for (const [index, extent] of dims.entries()) {
    if (!Number.isInteger(extent) || (extent as number) < 1) {
      throw badArgument({ rank, call }, `dims[${index}]`, extent, "an integer >= 1");
    }
  }
  if (!Array.isArray(periods) || periods.length !== dims.length) {
    throw badArgument({ rank, call }, "periods", periods, `an array of ${dims.length} booleans, one per dimension`);
  }
  for (const [index, periodic] of periods.entries()) {
    if (typeof periodic !== "boolean") {
      throw badArgument({ rank, call }, `periods[${index}]`, periodic, "true or false");
    }
  }
}

/** A 32-bit fingerprint of arguments every rank must pass alike (FNV-1a of their text). */
export function fingerprint(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
