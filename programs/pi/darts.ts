/**
 * Monte-Carlo darts: points uniform in the unit square, a hit when x^2 + y^2 < 1, so
 * pi ~ 4 * hits / darts. Hit counts are integers: summed over ranks or chunks they are exact in any
 * order, so the estimate depends only on the streams used, never on how the sum was combined.
 */
import { TWO_TO_MINUS_32 } from "./random.ts";

/**
 * Hits among `darts` darts thrown from the stream whose state is `state` (random.ts): x and y are
 * the stream's next two numbers. Each is one mulberry32 step: the state advances by 0x6d2b79f5 and
 * is mixed into 32 random bits, scaled into [0, 1).
 */
export function countHits(state: number, darts: number): number {
  let s = state | 0;
  let hits = 0;
  for (let i = 0; i < darts; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const x = ((t ^ (t >>> 14)) >>> 0) * TWO_TO_MINUS_32;
    s = (s + 0x6d2b79f5) | 0;
    t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const y = ((t ^ (t >>> 14)) >>> 0) * TWO_TO_MINUS_32;
    if (x * x + y * y < 1) hits++;
  }
  return hits;
}

/** Standard deviation of the estimate 4 * hits / darts: 4 * sqrt(p (1 - p) / darts), p = pi / 4. */
export function dartsSigma(darts: number): number {
  const p = Math.PI / 4;
  return 4 * Math.sqrt((p * (1 - p)) / darts);
}
