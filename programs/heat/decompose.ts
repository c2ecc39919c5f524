/**
 * 2-D block decomposition of the nx x ny interior over a P x Q process grid: rows (i) split over
 * the P grid rows, columns (j) over the Q grid columns. Uneven splits give the first blocks one
 * more row or column. Each block is stored with a one-point ghost layer, (nrows+2) x (ncols+2)
 * values, row-major.
 */

export interface Block {
  readonly nx: number;
  readonly ny: number;
  /** Global 0-based index of the block's first interior row (1..nx) and column (1..ny). */
  readonly row0: number;
  readonly col0: number;
  readonly nrows: number;
  readonly ncols: number;
  /** Row length of the local array: ncols + 2. */
  readonly width: number;
}

/** Part `index` of `n` items split in `parts`: the first n % parts parts get one more. */
export function split1d(n: number, parts: number, index: number): { start: number; count: number } {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return { start: index * base + Math.min(index, extra), count: base + (index < extra ? 1 : 0) };
}

/** The block of the process at `coords` = [p, q] in a `dims` = [P, Q] grid. */
export function blockOf(nx: number, ny: number, dims: readonly number[], coords: readonly number[]): Block {
  const rows = split1d(nx, dims[0]!, coords[0]!);
  const cols = split1d(ny, dims[1]!, coords[1]!);
  return { nx, ny, row0: 1 + rows.start, col0: 1 + cols.start, nrows: rows.count, ncols: cols.count, width: cols.count + 2 };
}

/** The whole interior as one block: the serial case. */
export function wholeBlock(nx: number, ny: number): Block {
  return blockOf(nx, ny, [1, 1], [0, 0]);
}

/** Why a grid cannot hold the field (a block would be empty), or undefined when it can. */
export function checkGrid(nx: number, ny: number, dims: readonly number[]): string | undefined {
  if (dims[0]! > nx) return `the process grid has ${dims[0]} rows but the field only ${nx} (--nx)`;
  if (dims[1]! > ny) return `the process grid has ${dims[1]} columns but the field only ${ny} (--ny)`;
  return undefined;
}
