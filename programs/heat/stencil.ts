/**
 * The explicit 5-point update over rectangles of a block's interior (local array with a ghost
 * layer, row-major, `width` = ncols + 2). Split into the part that reads no ghost value and the
 * boundary strips that do, so the first can run while the halo exchange is in flight.
 */
import { A, DT, DX2, DY2 } from "./model.ts";

/** new[i,j] = u[i,j] + a*dt*(xderiv + yderiv) for local rows [r0, r1) and columns [c0, c1). */
export function updateRect(u: Float64Array, next: Float64Array, width: number, r0: number, r1: number, c0: number, c1: number): void {
  for (let i = r0; i < r1; i++) {
    let p = i * width + c0;
    for (let j = c0; j < c1; j++, p++) {
      const c = u[p]!;
      // The spec's formula term for term: another grouping would round differently.
      const xderiv = (u[p - width]! - 2.0 * c + u[p + width]!) / DX2;
      const yderiv = (u[p - 1]! - 2.0 * c + u[p + 1]!) / DY2;
      next[p] = c + A * DT * (xderiv + yderiv);
    }
  }
}

/** The interior points whose neighbours are all interior: local rows and columns 2..n-1. */
export function updateInner(u: Float64Array, next: Float64Array, nrows: number, ncols: number): void {
  updateRect(u, next, ncols + 2, 2, nrows, 2, ncols);
}

/**
 * The points next to the ghost layer: first and last interior rows, then the first and last
 * columns between them. With updateInner this covers every interior point exactly once, also for
 * blocks one row or one column wide.
 */
export function updateStrips(u: Float64Array, next: Float64Array, nrows: number, ncols: number): void {
  const width = ncols + 2;
  updateRect(u, next, width, 1, 2, 1, ncols + 1);
  if (nrows > 1) updateRect(u, next, width, nrows, nrows + 1, 1, ncols + 1);
  updateRect(u, next, width, 2, nrows, 1, 2);
  if (ncols > 1) updateRect(u, next, width, 2, nrows, ncols, ncols + 1);
}
