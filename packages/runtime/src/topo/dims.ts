/**
 * `computeDims` (MPI_Dims_create): splits `nnodes` processes into an `ndims`-dimensional grid that
 * is as balanced as possible. Pure: no communication, same answer on every rank.
 *
 * "Balanced" as MPICH means it (see balanced-factors.ts): the same dims as MPICH's MPI_Dims_create
 * for every shape, so a program ported from MPICH gets the same grid; checked against the whole
 * table of MPICH's dims5 test. That is the smallest spread (largest minus smallest dimension) its
 * search finds, not the smallest largest dimension: 5040 in 3-D is 21 x 16 x 15, not 20 x 18 x 14.
 */
import { badArgument, invalidArguments } from "../errors.ts";
import { mpichBalancedFactors } from "./balanced-factors.ts";

const CALL = "computeDims";

/**
 * A grid shape for `nnodes` processes in `ndims` dimensions (MPI_Dims_create). Nonzero entries of
 * `dims` are kept as they are; the zero ones are filled in non-increasing order. Throws ERR_ARG when
 * no grid fits (the fixed entries' product does not divide `nnodes`).
 * ```ts
 * computeDims(12, 3);          // [3, 2, 2]
 * computeDims(12, 2, [0, 3]);  // [4, 3]
 * ```
 */
export function computeDims(nnodes: number, ndims: number, dims?: readonly number[]): number[] {
  if (!Number.isInteger(nnodes) || nnodes < 1) {
    throw badArgument({ call: CALL }, "nnodes", nnodes, "an integer >= 1");
  }
  if (!Number.isInteger(ndims) || ndims < 0) {
    throw badArgument({ call: CALL }, "ndims", ndims, "an integer >= 0");
  }
  const given = dims ?? new Array<number>(ndims).fill(0);
  if (!Array.isArray(given) || given.length !== ndims) {
    throw badArgument({ call: CALL }, "dims", given, `an array of ${ndims} integers >= 0 (0: free)`);
  }
  let fixedProduct = 1;
  let free = 0;
  for (const [index, entry] of given.entries()) {
    if (!Number.isInteger(entry) || entry < 0) {
      throw badArgument({ call: CALL }, `dims[${index}]`, entry, "an integer >= 0 (0: free)");
    }
    if (entry === 0) free++;
    else fixedProduct *= entry;
  }
  if (nnodes % fixedProduct !== 0 || (free === 0 && fixedProduct !== nnodes)) {
    throw invalidArguments(
      { call: CALL },
      free === 0
        ? `dims [${given.join(", ")}] fixes every dimension, giving ${fixedProduct} processes, not nnodes=${nnodes}`
        : `the fixed entries of dims [${given.join(", ")}] multiply to ${fixedProduct}, which does not divide nnodes=${nnodes}`,
      "dims",
    );
  }
  const rest = nnodes / fixedProduct;
  const filler = free === 0 ? [] : free === 1 ? [rest] : mpichBalancedFactors(rest, free);
  let next = 0;
  return given.map((entry) => (entry === 0 ? filler[next++]! : entry));
}
