/**
 * The explicit 5-point update over rectangles of a block's interior (local array with a ghost
 * layer, row-major, `width` = ncols + 2). Split into the part that reads no ghost value and the
 * boundary strips that do, so the first can run while the halo exchange is in flight.
 */
import { A, DT, DX2, DY2 } from "./model.ts";

/**
 * new[i,j] = u[i,j] + a*dt*(xderiv + yderiv) for local rows [r0, r1) and columns [c0, c1).
 *
 * Written for V8 (bench/results/heat-stencil.md): the constants are copied into locals (as
 * module-level bindings they are re-read, and A * DT re-multiplied, at every point: 1.6x slower in
 * the bundle tsmpirun runs), and the row's centre and right values are carried along, so each
 * point loads three values instead of five. Same operations in the same order: the bits do not change.
 */
export function updateRect(u: Float64Array, next: Float64Array, width: number, r0: number, r1: number, c0: number, c1: number): void {
  if (c0 >= c1) return;
  const dx2 = DX2;
  const dy2 = DY2;
  // (A * DT) * (...) is how `A * DT * (...)` groups: hoisting the product keeps the rounding.
  const adt = A * DT;
  for (let i = r0; i < r1; i++) {
    let p = i * width + c0;
    const end = i * width + c1;
    let left = u[p - 1]!;
    let c = u[p]!;
    for (; p < end; p++) {
      const right = u[p + 1]!;
      // The spec's formula term for term: another grouping would round differently.
      const xderiv = (u[p - width]! - 2.0 * c + u[p + width]!) / dx2;
      const yderiv = (left - 2.0 * c + right) / dy2;
      next[p] = c + adt * (xderiv + yderiv);
      left = c;
      c = right;
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
