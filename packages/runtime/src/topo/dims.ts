/**
 * `computeDims` (MPI_Dims_create): splits `nnodes` processes into an `ndims`-dimensional grid that
 * is as balanced as possible. Pure: no communication, same answer on every rank.
 *
 * "Balanced" here: the free dimensions, sorted non-increasing, form the lexicographically smallest
 * tuple, i.e. the largest dimension is as small as it can be, then the second largest, and so on.
 * This is the exact optimum, found by a divisor search, not the greedy "give each prime factor to
 * the smallest dimension" (which turns 40 into 10 x 4 where MPICH and this give 8 x 5).
 */
import { badArgument, invalidArguments } from "../errors.ts";

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
  const filler = balancedFactors(nnodes / fixedProduct, free, Number.POSITIVE_INFINITY)!;
  let next = 0;
  return given.map((entry) => (entry === 0 ? filler[next++]! : entry));
}

/**
 * The lexicographically smallest non-increasing tuple of `count` factors of `n`, none above `cap`,
 * or undefined if there is none. Trying the first factor in increasing order from the smallest it
 * can be (the count-th root of n) makes the first tuple found the most balanced one.
 */
function balancedFactors(n: number, count: number, cap: number): number[] | undefined {
  if (count === 0) return n === 1 ? [] : undefined;
  if (count === 1) return n <= cap ? [n] : undefined;
  const lowest = Math.max(1, Math.floor(Math.pow(n, 1 / count) - 1e-9));
  for (const factor of divisorsFrom(n, lowest)) {
    if (factor > cap) return undefined;
    const rest = balancedFactors(n / factor, count - 1, factor);
    if (rest !== undefined) return [factor, ...rest];
  }
  return undefined;
}

/** Divisors of `n` that are >= `from`, in increasing order. */
function divisorsFrom(n: number, from: number): number[] {
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    small.push(d);
    if (d * d !== n) large.push(n / d);
  }
  return [...small, ...large.reverse()].filter((d) => d >= from);
}
