/**
 * Where a rank's block lies: the MPI block split of each dimension over the process grid (the
 * first `n % p` blocks one element longer, as in MPI_Dims/BLOCK distributions and `reduceScatter`),
 * and how the block and its ghost layer are stored: one row-major typed array of
 * (localShape[d] + 2 * ghost) per dimension, the owned elements starting at (ghost, ..., ghost).
 * Pure functions: every rank can compute every other rank's block.
 * Internal to the runtime, not part of its API.
 */
import { blockRange } from "../pmap/block-range.ts";
import type { IndexRange } from "./types.ts";

export interface Layout {
  readonly globalShape: readonly number[];
  readonly ghost: number;
  /** Per dimension, the global indices this block owns. */
  readonly localIndices: readonly IndexRange[];
  readonly localShape: readonly number[];
  /** localShape[d] + 2 * ghost: the shape of the stored block. */
  readonly storageShape: readonly number[];
  /** Row-major strides of the stored block, in elements. */
  readonly strides: readonly number[];
  /** Number of stored elements, ghosts included. */
  readonly storageLength: number;
  /** Number of owned elements. */
  readonly localLength: number;
}

/** The global indices the block at grid `coords` owns, per dimension. */
export function blockIndices(globalShape: readonly number[], dims: readonly number[], coords: readonly number[]): IndexRange[] {
  return globalShape.map((n, d) => blockRange(n, dims[d]!, coords[d]!));
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d]!;
  }
  return strides;
}

export function product(shape: readonly number[]): number {
  return shape.reduce((p, n) => p * n, 1);
}

export function layoutOf(globalShape: readonly number[], dims: readonly number[], coords: readonly number[], ghost: number): Layout {
  const localIndices = Object.freeze(blockIndices(globalShape, dims, coords).map((range) => Object.freeze(range)));
  const localShape = localIndices.map(({ start, stop }) => stop - start);
  const storageShape = localShape.map((n) => n + 2 * ghost);
  return {
    globalShape: Object.freeze([...globalShape]),
    ghost,
    localIndices,
    localShape: Object.freeze(localShape),
    storageShape: Object.freeze(storageShape),
    strides: Object.freeze(stridesOf(storageShape)),
    storageLength: product(storageShape),
    localLength: product(localShape),
  };
}

/** The smallest block along dimension d: floor(n / p). */
export function smallestBlock(n: number, parts: number): number {
  return Math.floor(n / parts);
}
