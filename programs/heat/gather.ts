/**
 * The whole (nx+2) x (ny+2) field on rank 0: every rank packs its block's interior (no ghosts)
 * and `gather`s it; rank 0 places each block by its owner's grid coordinates over an array that
 * already holds the fixed boundary.
 */
import type { CartComm } from "@tsmpi/runtime";
import { blockOf, type Block } from "./decompose.ts";
import { initialValue } from "./field.ts";

/** The block's interior rows, contiguous. */
export function packInterior(u: Float64Array, block: Block): Float64Array {
  const { nrows, ncols, width } = block;
  const out = new Float64Array(nrows * ncols);
  for (let i = 0; i < nrows; i++) out.set(u.subarray((i + 1) * width + 1, (i + 1) * width + 1 + ncols), i * ncols);
  return out;
}

/** Collective; the full row-major field on rank 0, undefined elsewhere. */
export async function gatherField(comm: CartComm, u: Float64Array, block: Block): Promise<Float64Array | undefined> {
  const parts = await comm.gather(packInterior(u, block), 0);
  if (parts === undefined) return undefined;
  const { nx, ny } = block;
  const width = ny + 2;
  const full = new Float64Array((nx + 2) * width);
  for (let row = 0; row < nx + 2; row++) {
    for (const col of [0, ny + 1]) full[row * width + col] = initialValue(row, col, nx, ny);
  }
  for (let col = 1; col <= ny; col++) {
    full[col] = initialValue(0, col, nx, ny);
    full[(nx + 1) * width + col] = initialValue(nx + 1, col, nx, ny);
  }
  parts.forEach((part, rank) => {
    const b = blockOf(nx, ny, comm.dims, comm.coordsOf(rank));
    if (!(part instanceof Float64Array) || part.length !== b.nrows * b.ncols) {
      throw new Error(`heat: rank ${rank} sent ${String((part as Float64Array | undefined)?.length)} values for a ${b.nrows} x ${b.ncols} block`);
    }
    for (let i = 0; i < b.nrows; i++) full.set(part.subarray(i * b.ncols, (i + 1) * b.ncols), (b.row0 + i) * width + b.col0);
  });
  return full;
}
