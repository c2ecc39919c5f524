/**
 * Statistics every benchmark reports the same way: a cell is the median of its samples with the
 * spread (min–max) beside it; ratios are of medians taken within one run (this machine drifts).
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** 3 significant-ish digits: 1234, 123, 12.3, 1.23. */
export const fmt = (x: number): string => (!Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** `median (min–max)`, the cell format of every bench table. */
export const spread = (values: readonly number[]): string =>
  values.length === 0 ? "–" : `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;

export const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "–");
