import { describe, expect, it } from "vitest";
import { TsmpiError, computeDims } from "@tsmpi/runtime";

/** Every non-increasing factorisation of n into k factors, by brute force. */
function factorisations(n: number, k: number, cap = n): number[][] {
  if (k === 0) return n === 1 ? [[]] : [];
  const out: number[][] = [];
  for (let f = Math.min(n, cap); f >= 1; f--) if (n % f === 0) for (const rest of factorisations(n / f, k - 1, f)) out.push([f, ...rest]);
  return out;
}
/** Compares non-increasing tuples: the more balanced one (smaller largest factor, then next...) first. */
function lexicographic(a: number[], b: number[]): number {
  const i = a.findIndex((x, k) => x !== b[k]);
  return i === -1 ? 0 : a[i]! - b[i]!;
}

describe("computeDims", () => {
  it.each([
    [6, 2, [3, 2]],
    [7, 2, [7, 1]],
    [12, 3, [3, 2, 2]],
    [16, 2, [4, 4]],
    [1, 3, [1, 1, 1]],
    [8, 3, [2, 2, 2]],
    [40, 2, [8, 5]],
    [24, 3, [4, 3, 2]],
    [64, 3, [4, 4, 4]],
    [5, 1, [5]],
    [1, 0, []],
  ])("splits %i processes into %i dimensions as MPI_Dims_create does", (nnodes, ndims, expected) => {
    expect(computeDims(nnodes, ndims)).toEqual(expected);
  });

  it.each([
    [12, [0, 3], [4, 3]],
    [12, [2, 0, 0], [2, 3, 2]],
    [24, [0, 1, 0], [6, 1, 4]],
    [6, [2, 3], [2, 3]],
    [16, [0, 8], [2, 8]],
  ])("keeps the nonzero entries of dims and fills the others in non-increasing order (%i, %j)", (nnodes, dims, expected) => {
    const given = [...dims];
    expect(computeDims(nnodes, dims.length, given)).toEqual(expected);
    expect(given).toEqual(dims); // the caller's array is not filled in place
  });

  it("picks the most balanced grid for every size up to 200 in 1 to 4 dimensions", () => {
    for (let nnodes = 1; nnodes <= 200; nnodes++) {
      for (let ndims = 1; ndims <= 4; ndims++) {
        const best = factorisations(nnodes, ndims).sort(lexicographic)[0];
        expect(computeDims(nnodes, ndims), `(${nnodes}, ${ndims})`).toEqual(best);
      }
    }
  });

  it.each([
    ["fixed entries that do not divide nnodes", () => computeDims(6, 2, [4, 0]), "computeDims(dims): the fixed entries of dims [4, 0] multiply to 4, which does not divide nnodes=6"],
    ["a fully fixed grid of the wrong size", () => computeDims(6, 2, [2, 2]), "computeDims(dims): dims [2, 2] fixes every dimension"],
    ["no dimensions for several processes", () => computeDims(4, 0), "computeDims(dims)"],
    ["nnodes zero", () => computeDims(0, 2), "computeDims(nnodes=0): nnodes must be an integer >= 1"],
    ["ndims negative", () => computeDims(4, -1), "computeDims(ndims=-1)"],
    ["a negative entry", () => computeDims(6, 2, [0, -3]), "computeDims(dims[1]=-3)"],
    ["dims of another length than ndims", () => computeDims(6, 3, [0, 0]), "computeDims(dims=[array of 2]): dims must be an array of 3"],
  ])("throws ERR_ARG for %s", (_, call, message) => {
    expect(call).toThrow(TsmpiError);
    try {
      call();
    } catch (error) {
      expect((error as TsmpiError).code).toBe("ERR_ARG");
      expect((error as TsmpiError).message).toContain(message);
    }
  });
});
