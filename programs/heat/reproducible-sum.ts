/**
 * A sum of a block-distributed field that is bitwise the same for every process grid: each value is
 * cut, the same way on every grid, into four pieces that are integer multiples of fixed quanta
 * (2^(k-26), 2^(k-52), ...; 2^k bounds every |value|); pieces of one level add up exactly in a
 * double, in any order and on any number of ranks, so the per-level totals are exact and the
 * final combination is fixed (the pre-rounding idea of ReproBLAS, Demmel & Nguyen). What is cut
 * off below the last quantum (2^(k-104), far under a double's precision at the bound) is dropped
 * the same way everywhere. Two small allreduces (MAX, then SUM of four doubles), no gather.
 */
import { Op, type Comm } from "@tsmpi/runtime";
import type { Block } from "./decompose.ts";

const BITS = 26;
/** Exact while count * 2^BITS <= 2^53: up to 2^27 points (a 11585^2 field). */
export const MAX_POINTS = 2 ** (53 - BITS);

/** max |value| over the block's interior (NaN if any value is NaN). */
export function blockMaxAbs(u: Float64Array, block: Block): number {
  const { nrows, ncols, width } = block;
  let max = 0;
  for (let i = 1; i <= nrows; i++) {
    for (let p = i * width + 1, end = p + ncols; p < end; p++) {
      const v = Math.abs(u[p]!);
      if (!(v <= max)) max = v;
    }
  }
  return max;
}

/** The smallest k with every |value| <= 2^k, from the global max |value| (> 0, finite). */
export function boundExponent(maxAbs: number): number {
  let k = Math.ceil(Math.log2(maxAbs));
  while (Math.pow(2, k) < maxAbs) k++;
  while (Math.pow(2, k - 1) >= maxAbs) k--;
  return k;
}

/** The block's exact per-level sums for the global bound 2^k. */
export function blockLevelSums(u: Float64Array, block: Block, k: number): Float64Array {
  const { nrows, ncols, width } = block;
  // value + 1.5 * 2^(q+52) rounds the value to a multiple of 2^q (the ulp of the magic number).
  const magic = (level: number): number => 1.5 * Math.pow(2, k - (level + 1) * BITS + 52);
  const m0 = magic(0), m1 = magic(1), m2 = magic(2), m3 = magic(3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 1; i <= nrows; i++) {
    for (let p = i * width + 1, end = p + ncols; p < end; p++) {
      let r = u[p]!;
      const h0 = r + m0 - m0; r -= h0; s0 += h0;
      const h1 = r + m1 - m1; r -= h1; s1 += h1;
      const h2 = r + m2 - m2; r -= h2; s2 += h2;
      const h3 = r + m3 - m3; s3 += h3;
    }
  }
  return Float64Array.of(s0, s1, s2, s3);
}

/** The per-level totals (exact, grid-independent) to one number, largest first: the only rounding. */
export function combineLevels(levels: Float64Array): number {
  return levels[0]! + levels[1]! + levels[2]! + levels[3]!;
}

/** The sum of the interior of a field distributed in blocks over `comm` (collective). */
export async function reproducibleSum(comm: Comm, u: Float64Array, block: Block): Promise<number> {
  const points = block.nx * block.ny;
  if (points > MAX_POINTS) throw new Error(`heat: reproducibleSum is exact up to ${MAX_POINTS} points, the field has ${points}`);
  const maxAbs = await comm.allreduce(blockMaxAbs(u, block), Op.MAX);
  if (Number.isNaN(maxAbs) || maxAbs === Infinity) return NaN;
  if (maxAbs === 0) return 0;
  const levels = await comm.allreduce(blockLevelSums(u, block, boundExponent(maxAbs)), Op.SUM);
  return combineLevels(levels);
}

/** The mean interior temperature, bitwise the same on every grid (collective). */
export async function reproducibleMean(comm: Comm, u: Float64Array, block: Block): Promise<number> {
  return (await reproducibleSum(comm, u, block)) / (block.nx * block.ny);
}
