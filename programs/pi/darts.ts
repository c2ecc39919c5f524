/**
 * Monte-Carlo darts: points uniform in the unit square, a hit when x^2 + y^2 < 1, so
 * pi ~ 4 * hits / darts. Hit counts are integers: summed over ranks or chunks they are exact in any
 * order, so the estimate depends only on the streams used, never on how the sum was combined.
 */

/** Hits among `darts` darts thrown with `random`. */
export function countHits(random: () => number, darts: number): number {
  let hits = 0;
  for (let i = 0; i < darts; i++) {
    const x = random();
    const y = random();
    if (x * x + y * y < 1) hits++;
  }
  return hits;
}

/** Standard deviation of the estimate 4 * hits / darts: 4 * sqrt(p (1 - p) / darts), p = pi / 4. */
export function dartsSigma(darts: number): number {
  const p = Math.PI / 4;
  return 4 * Math.sqrt((p * (1 - p)) / darts);
}
