/**
 * The spec's initial field over the whole (nx+2) x (ny+2) array, and over one block of it.
 *
 * With 1-based indices i = 1..nx+2 (rows), j = 1..ny+2 (columns): 5.0 inside the disc
 * (i - nx/2)^2 + (j - ny/2)^2 < (nx/6)^2, 65.0 outside; then column j = 1 is 20.0, column j = ny+2
 * is 70.0, row i = 1 is 85.0 and row i = nx+2 is 5.0, rows written last so the corners take the row
 * values. The boundary never changes afterwards.
 */
import type { Block } from "./decompose.ts";

/** The value at 0-based global row `row` (0..nx+1) and column `col` (0..ny+1). */
export function initialValue(row: number, col: number, nx: number, ny: number): number {
  const i = row + 1;
  const j = col + 1;
  // Rows first here because they were written last: they win at the corners.
  if (i === 1) return 85.0;
  if (i === nx + 2) return 5.0;
  if (j === 1) return 20.0;
  if (j === ny + 2) return 70.0;
  const di = i - nx / 2;
  const dj = j - ny / 2;
  const r = nx / 6;
  return di * di + dj * dj < r * r ? 5.0 : 65.0;
}

/** The whole (nx+2) x (ny+2) initial array, row-major. */
export function initialField(nx: number, ny: number): Float64Array {
  const width = ny + 2;
  const u = new Float64Array((nx + 2) * width);
  for (let row = 0; row < nx + 2; row++) {
    for (let col = 0; col < width; col++) u[row * width + col] = initialValue(row, col, nx, ny);
  }
  return u;
}

/**
 * Fills a block's local array, ghost layer included, with the initial field. Ghosts on the edge of
 * the domain thus hold the fixed boundary; ghosts facing a neighbour are overwritten by every halo
 * exchange before they are read.
 */
export function fillBlock(u: Float64Array, block: Block): void {
  const { nx, ny, row0, col0, nrows, ncols, width } = block;
  for (let li = 0; li < nrows + 2; li++) {
    for (let lj = 0; lj < ncols + 2; lj++) u[li * width + lj] = initialValue(row0 - 1 + li, col0 - 1 + lj, nx, ny);
  }
}
