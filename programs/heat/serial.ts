/**
 * The reference: a plain serial loop over the whole (nx+2) x (ny+2) array, written without the
 * block, ghost or strip machinery of the parallel variants. Returns the final array.
 */
import { initialField } from "./field.ts";
import { A, DT, DX2, DY2 } from "./model.ts";

export function runSerial(nx: number, ny: number, steps: number): Float64Array {
  const width = ny + 2;
  let u: Float64Array = initialField(nx, ny);
  let next: Float64Array = u.slice();
  for (let step = 0; step < steps; step++) {
    for (let i = 1; i <= nx; i++) {
      for (let j = 1; j <= ny; j++) {
        const p = i * width + j;
        const xderiv = (u[p - width]! - 2.0 * u[p]! + u[p + width]!) / DX2;
        const yderiv = (u[p - 1]! - 2.0 * u[p]! + u[p + 1]!) / DY2;
        next[p] = u[p]! + A * DT * (xderiv + yderiv);
      }
    }
    [u, next] = [next, u];
  }
  return u;
}
