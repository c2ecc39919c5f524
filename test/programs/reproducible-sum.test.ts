/**
 * The reduction behind heat.ts's mean (programs/heat/reproducible-sum.ts), as pure logic: the
 * per-block level sums of any block decomposition, added in any order, combine to bitwise the
 * same total, which is the exact sum to within a few ulps.
 */
import { describe, expect, it } from "vitest";
import { blockOf } from "../../programs/heat/decompose.ts";
import { blockLevelSums, blockMaxAbs, boundExponent, combineLevels } from "../../programs/heat/reproducible-sum.ts";

/** A field with ghost layer over the whole nx x ny interior, values spread over many binades. */
function randomField(nx: number, ny: number, seed: number): Float64Array {
  let state = seed;
  const random = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const full = new Float64Array((nx + 2) * (ny + 2));
  for (let k = 0; k < full.length; k++) full[k] = (random() - 0.3) * 10 ** (4 * random() - 2);
  return full;
}

/** The block's local array (with ghosts) cut out of the full array. */
function localArray(full: Float64Array, ny: number, block: ReturnType<typeof blockOf>): Float64Array {
  const u = new Float64Array((block.nrows + 2) * block.width);
  for (let li = 0; li < block.nrows + 2; li++) {
    const start = (block.row0 - 1 + li) * (ny + 2) + block.col0 - 1;
    u.set(full.subarray(start, start + block.width), li * block.width);
  }
  return u;
}

function gridSum(full: Float64Array, nx: number, ny: number, dims: [number, number], reverse: boolean): number {
  const blocks: ReturnType<typeof blockOf>[] = [];
  for (let p = 0; p < dims[0]; p++) for (let q = 0; q < dims[1]; q++) blocks.push(blockOf(nx, ny, dims, [p, q]));
  const locals = blocks.map((block) => localArray(full, ny, block));
  const maxAbs = Math.max(...locals.map((u, n) => blockMaxAbs(u, blocks[n]!)));
  const k = boundExponent(maxAbs);
  const parts = locals.map((u, n) => blockLevelSums(u, blocks[n]!, k));
  if (reverse) parts.reverse();
  const total = new Float64Array(4);
  for (const part of parts) for (let level = 0; level < 4; level++) total[level]! += part[level]!;
  return combineLevels(total);
}

describe("reproducible sum", () => {
  it("is bitwise the same for every block decomposition and order, and close to the exact sum", () => {
    const [nx, ny] = [37, 53];
    const full = randomField(nx, ny, 12345);
    const reference = gridSum(full, nx, ny, [1, 1], false);
    for (const dims of [[2, 3], [5, 1], [1, 7], [7, 7], [37, 1], [4, 53]] as [number, number][]) {
      expect(gridSum(full, nx, ny, dims, false), `grid ${dims.join("x")}`).toBe(reference);
      expect(gridSum(full, nx, ny, dims, true), `grid ${dims.join("x")} reversed`).toBe(reference);
    }
    // Exact sum as a rational with denominator 2^1074, by BigInt.
    let exact = 0n;
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 1; i <= nx; i++) {
      for (let j = 1; j <= ny; j++) {
        view.setFloat64(0, full[i * (ny + 2) + j]!);
        const bits = view.getBigUint64(0);
        const exponent = Number((bits >> 52n) & 0x7ffn);
        const mantissa = (bits & ((1n << 52n) - 1n)) | (exponent === 0 ? 0n : 1n << 52n);
        const scaled = mantissa << BigInt(Math.max(exponent, 1) - 1);
        exact += bits >> 63n ? -scaled : scaled;
      }
    }
    // Shifted down first: the full integer is past Number's range. The bits dropped are below 2^-174.
    const exactNumber = Number(exact >> 900n) / 2 ** 174;
    expect(Math.abs(reference - exactNumber)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(exactNumber));
  });
});
