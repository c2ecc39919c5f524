/**
 * Visiting the elements of a block with their global indices, row-major (last index fastest): the
 * loops behind `fill`, `map` and `mapInPlace`. The user function is called with the index as
 * separate arguments, `fn(i, j)`, dispatched on the dimension count so that 1-D to 3-D arrays
 * spread no arrays per element.
 * Internal to the runtime, not part of its API.
 */
import type { Layout } from "./layout.ts";

/**
 * Calls `visit(offset, index)` for every owned element (with `ghosts`, every stored element),
 * where `offset` is its place in the stored block and `index` its global index (a reused array:
 * read it, do not keep it).
 */
export function forEachElement(layout: Layout, ghosts: boolean, visit: (offset: number, index: readonly number[]) => void): void {
  const { ghost: g, localShape, storageShape, strides, localIndices } = layout;
  const n = localShape.length;
  const lo = ghosts ? localShape.map(() => 0) : localShape.map(() => g);
  const hi = ghosts ? [...storageShape] : localShape.map((extent) => g + extent);
  if (lo.some((l, d) => l >= hi[d]!)) return;
  // Global index of stored position p along d: localIndices[d].start - g + p.
  const shift = localIndices.map((range) => range.start - g);
  const position = [...lo];
  const index = position.map((p, d) => p + shift[d]!);
  const last = n - 1;
  for (;;) {
    let offset = 0;
    for (let d = 0; d < last; d++) offset += position[d]! * strides[d]!;
    for (let p = lo[last]!; p < hi[last]!; p++) {
      index[last] = p + shift[last]!;
      visit(offset + p, index);
    }
    let d = last - 1;
    while (d >= 0 && ++position[d]! === hi[d]!) {
      position[d] = lo[d]!;
      index[d] = lo[d]! + shift[d]!;
      d--;
    }
    if (d < 0) return;
    index[d] = position[d]! + shift[d]!;
  }
}

/** `fn(...index)`, without a spread for up to three dimensions. */
export function indexCaller<R>(ndims: number, fn: (...index: number[]) => R): (index: readonly number[]) => R {
  switch (ndims) {
    case 1:
      return (index) => fn(index[0]!);
    case 2:
      return (index) => fn(index[0]!, index[1]!);
    case 3:
      return (index) => fn(index[0]!, index[1]!, index[2]!);
    default:
      return (index) => fn(...index);
  }
}

/** `fn(value, ...index)`, without a spread for up to three dimensions. */
export function valueIndexCaller<V, R>(ndims: number, fn: (value: V, ...index: number[]) => R): (value: V, index: readonly number[]) => R {
  switch (ndims) {
    case 1:
      return (value, index) => fn(value, index[0]!);
    case 2:
      return (value, index) => fn(value, index[0]!, index[1]!);
    case 3:
      return (value, index) => fn(value, index[0]!, index[1]!, index[2]!);
    default:
      return (value, index) => fn(value, ...index);
  }
}
