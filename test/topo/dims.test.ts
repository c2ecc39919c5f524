import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { TsmpiError, computeDims } from "@tsmpi/runtime";

/**
 * MPICH's own MPI_Dims_create test table (test/mpi/topo/baddims.h, run by dims5.c): 75,394 shapes
 * with the dims MPICH returns. Provenance and licence in the file's header lines.
 */
function mpichTable(): Array<[nnodes: number, ndims: number, dims: number[]]> {
  const text = gunzipSync(readFileSync(fileURLToPath(new URL("./data/mpich-dims5.txt.gz", import.meta.url)))).toString("utf8");
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [nnodes, ndims, ...dims] = line.split(" ").map(Number);
      return [nnodes!, ndims!, dims];
    });
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

  it.each([
    [5040, 3, [21, 16, 15]],
    [34425, 3, [51, 27, 25]],
    [100, 3, [5, 5, 4]],
    [2 ** 31 - 1, 3, [2 ** 31 - 1, 1, 1]],
    [2 ** 30, 3, [1024, 1024, 1024]],
    [2 ** 30, 7, [32, 32, 16, 16, 16, 16, 16]],
  ])("gives MPICH's MPI_Dims_create answer for %i in %i dimensions: %j", (nnodes, ndims, expected) => {
    expect(computeDims(nnodes, ndims)).toEqual(expected);
  });

  it("gives the same dims as MPICH's MPI_Dims_create for every shape in MPICH's dims5 table", () => {
    const table = mpichTable();
    expect(table).toHaveLength(75_394);
    const wrong = table.filter(([nnodes, ndims, dims]) => computeDims(nnodes, ndims).join("x") !== dims.join("x"));
    const shown = wrong.slice(0, 10).map(([nnodes, ndims, dims]) => `${nnodes} in ${ndims}-D: ${computeDims(nnodes, ndims).join("x")}, MPICH ${dims.join("x")}`);
    expect(shown, `${wrong.length} shapes differ`).toEqual([]);
  });

  it("keeps large counts fast: a prime and a power of two near 2^31, a many-factored count in 6-D", () => {
    const start = performance.now();
    for (const [nnodes, ndims] of [[2 ** 31 - 1, 2], [2 ** 31 - 1, 5], [2 ** 30, 4], [735_134_400, 6], [2_147_483_646, 5]] as const) {
      const dims = computeDims(nnodes, ndims);
      expect(dims.reduce((x, y) => x * y, 1)).toBe(nnodes);
    }
    expect(performance.now() - start).toBeLessThan(500);
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
