/**
 * The types of the DArray API: which typed arrays it holds, their element type, index tuples of
 * the array's dimension count, and the options of its calls.
 */
import type { AnyTypedArray } from "../wire/typed-array.ts";

/** The typed arrays a DArray can hold (Float64Array is the main case). */
export type DArrayTypedArray = AnyTypedArray;

/** A typed array class, e.g. `Float64Array`: what `DArray.create` allocates the local block with. */
export interface DArrayKind<A extends DArrayTypedArray> {
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
  new (length: number): A;
}

/** The element type of a typed array: `bigint` for BigInt64Array and BigUint64Array, else `number`. */
export type ElementOf<A extends DArrayTypedArray> = A extends BigInt64Array | BigUint64Array ? bigint : number;

/**
 * `N` values of type `T`: `Tuple<2>` is `[number, number]`. For a dimension count not known at
 * compile time (`N = number`) it is `T[]`.
 */
export type Tuple<N extends number, T = number, Acc extends T[] = []> = number extends N
  ? T[]
  : Acc["length"] extends N
    ? Acc
    : Tuple<N, T, [...Acc, T]>;

/** All but the last of `N` indices: what selects one row (a run along the last dimension). */
export type LeadingIndex<N extends number> = number extends N ? number[] : Tuple<N> extends [...infer Lead extends number[], number] ? Lead : never;

/** A half-open range of global indices along one dimension: `{ start, stop }` (the pmap one). */
export type { IndexRange } from "../pmap/block-range.ts";

/** Options of `DArray.create` and `DArray.distribute`. */
export interface DArrayOptions {
  /**
   * Width of the ghost layer on each side of the local block, in every dimension (default 0). A
   * dimension that exchanges halos (more than one process along it, or periodic) needs
   * `ghost <= floor(globalShape[d] / dims[d])`, the smallest block along it.
   */
  ghost?: number;
}

/** Options of `exchangeHalo` and `exchangeHaloStart`. */
export interface HaloOptions {
  /**
   * true (default): exchange one dimension after the other, each including the ghost cells the
   * previous ones filled, so edge and corner ghosts (outside the block in several dimensions) are
   * filled too: what a 9-point stencil needs. false: all faces in one round, corner ghosts left
   * untouched: enough for a 5-point stencil, and one message latency instead of one per dimension.
   */
  corners?: boolean;
}

/** Options of `DArray.fill`. */
export interface FillOptions {
  /**
   * Also fill the ghost layer, each ghost cell with `fn` of its global index, which lies outside
   * 0..globalShape[d]-1 past the edge of the array (not wrapped on periodic dimensions): the way
   * to set boundary values before a halo exchange. Default false.
   */
  ghosts?: boolean;
}
