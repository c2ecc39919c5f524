/**
 * The Leibniz series pi = 4 * sum_{i=0..N} (-1)^i / (2i + 1). Its truncation error after the term
 * i = N is about 1/N. A floating-point sum depends on how it is split: different rank counts give
 * estimates that differ in the last bits.
 */

/** sum_{i=start}^{stop-1} (-1)^i / (2i + 1), smallest terms first (less rounding error). */
export function seriesPart(start: number, stop: number): number {
  let sum = 0;
  for (let i = stop - 1; i >= start; i--) sum += (i % 2 === 0 ? 1 : -1) / (2 * i + 1);
  return sum;
}
