/**
 * The static, even split that `distributedReduce` and `SharedArray.localRange` share (the
 * `@distributed for` split, and the block rule of `reduceScatter`): of `n` indices, every rank gets
 * floor(n / size) contiguous ones and the first n % size ranks one more, so rank r's block starts
 * at r * floor(n / size) + min(r, n % size). Ranks past n get an empty block when n < size.
 */
export interface IndexRange {
  /** First index of the block. */
  start: number;
  /** One past the last index (`start === stop` for an empty block). */
  stop: number;
}

export function blockRange(n: number, size: number, rank: number): IndexRange {
  const base = Math.floor(n / size);
  const extra = n % size;
  const start = rank * base + Math.min(rank, extra);
  return { start, stop: start + base + (rank < extra ? 1 : 0) };
}
