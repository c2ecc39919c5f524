/**
 * Moving whole blocks between the ranks and one full array on a root: `gather` (every block
 * packed densely, gathered, placed into the full array) and `distribute` (the full array cut into
 * blocks, scattered). The root computes every rank's block from the grid (layout.ts), so only the
 * elements travel.
 * Internal to the runtime, not part of its API.
 */
import type { CartComm } from "../comm/cart-comm.ts";
import { blockIndices, stridesOf, type Layout } from "./layout.ts";
import { ownedBox, packBox, unpackBox, type Box, type Elements } from "./region.ts";
import type { DArrayKind, DArrayTypedArray } from "./types.ts";

/** The owned elements of a stored block as a new dense array, row-major. */
export function packOwned<A extends DArrayTypedArray>(kind: DArrayKind<A>, storage: A, layout: Layout): A {
  const dense = new kind(layout.localLength);
  packBox(storage as unknown as Elements, layout.strides, ownedBox(layout), dense as unknown as Elements);
  return dense;
}

/** Copies a dense block into the owned part of a stored block. */
export function unpackOwned(dense: DArrayTypedArray, storage: DArrayTypedArray, layout: Layout): void {
  unpackBox(dense as unknown as Elements, storage as unknown as Elements, layout.strides, ownedBox(layout));
}

/** The box of the full array that grid rank `rank` owns. */
function globalBox(cart: CartComm, globalShape: readonly number[], rank: number): Box {
  const ranges = blockIndices(globalShape, cart.dims, cart.coordsOf(rank));
  return { lo: ranges.map((r) => r.start), hi: ranges.map((r) => r.stop) };
}

/** The full array from every rank's dense block (`blocks[r]` from grid rank r). */
export function assemble<A extends DArrayTypedArray>(cart: CartComm, kind: DArrayKind<A>, globalShape: readonly number[], blocks: readonly A[]): A {
  const full = new kind(globalShape.reduce((p, n) => p * n, 1));
  const strides = stridesOf(globalShape);
  blocks.forEach((block, rank) => unpackBox(block as unknown as Elements, full as unknown as Elements, strides, globalBox(cart, globalShape, rank)));
  return full;
}

/** The full array cut into every rank's dense block, in rank order. */
export function cut<A extends DArrayTypedArray>(cart: CartComm, kind: DArrayKind<A>, globalShape: readonly number[], full: A): A[] {
  const strides = stridesOf(globalShape);
  return Array.from({ length: cart.size }, (_, rank) => {
    const box = globalBox(cart, globalShape, rank);
    const block = new kind(box.lo.reduce((p, lo, d) => p * (box.hi[d]! - lo), 1));
    packBox(full as unknown as Elements, strides, box, block as unknown as Elements);
    return block;
  });
}
