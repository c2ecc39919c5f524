/**
 * Copying a box (`lo[d] <= index[d] < hi[d]`) of a row-major N-D array to and from a dense buffer:
 * the packing of halo faces, of blocks for gather and distribute. The box is walked as runs along
 * the last dimension (contiguous in memory); long runs are copied with `set` on a subarray view,
 * short ones (a column of a 2-D block: runs of `ghost` elements) element by element.
 * Internal to the runtime, not part of its API.
 */

/** Any typed array, seen loosely: the DArray code is generic over the kind. */
export interface Elements {
  [index: number]: number | bigint;
  readonly length: number;
  subarray(begin?: number, end?: number): Elements;
  set(source: Elements, offset?: number): void;
}

export interface Box {
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

/** Runs at least this long are copied with TypedArray.set, shorter ones by a loop (set has a fixed cost per call). */
const SET_MIN_RUN = 16;

/** The owned elements of a stored block (layout.ts): `ghost` in from every side. */
export function ownedBox(layout: { readonly ghost: number; readonly localShape: readonly number[] }): Box {
  return { lo: layout.localShape.map(() => layout.ghost), hi: layout.localShape.map((n) => layout.ghost + n) };
}

export function boxSize(box: Box): number {
  let size = 1;
  for (let d = 0; d < box.lo.length; d++) size *= Math.max(0, box.hi[d]! - box.lo[d]!);
  return size;
}

/**
 * If the box is one contiguous stretch of the array (of shape `shape`), its [start, end) offsets;
 * else undefined. It is when, past its first dimension of extent above 1, it spans every dimension
 * whole: e.g. a band of full rows of a 2-D array.
 */
export function contiguousSpan(shape: readonly number[], strides: readonly number[], box: Box): [number, number] | undefined {
  const n = shape.length;
  let d = 0;
  while (d < n - 1 && box.hi[d]! - box.lo[d]! === 1) d++;
  for (let k = d + 1; k < n; k++) if (box.lo[k] !== 0 || box.hi[k] !== shape[k]) return undefined;
  let start = 0;
  for (let k = 0; k < n; k++) start += box.lo[k]! * strides[k]!;
  return [start, start + boxSize(box)];
}

/** Calls `visit(offset, length)` for each run of the box along the last dimension, in row-major order. */
export function forEachRun(strides: readonly number[], box: Box, visit: (offset: number, length: number) => void): void {
  const n = box.lo.length;
  const last = n - 1;
  const length = box.hi[last]! - box.lo[last]!;
  if (boxSize(box) === 0) return;
  const index = box.lo.slice(0, last);
  for (;;) {
    let offset = box.lo[last]!;
    for (let d = 0; d < last; d++) offset += index[d]! * strides[d]!;
    visit(offset, length);
    let d = last - 1;
    while (d >= 0 && ++index[d]! === box.hi[d]!) {
      index[d] = box.lo[d]!;
      d--;
    }
    if (d < 0) return;
  }
}

/** Copies the box of `source` (strides `strides`) into `target` from `target[0]`, row-major. */
export function packBox(source: Elements, strides: readonly number[], box: Box, target: Elements): void {
  let position = 0;
  forEachRun(strides, box, (offset, length) => {
    if (length >= SET_MIN_RUN) target.set(source.subarray(offset, offset + length), position);
    else for (let k = 0; k < length; k++) target[position + k] = source[offset + k]!;
    position += length;
  });
}

/** Copies `source` (dense, row-major) into the box of `target` (strides `strides`). */
export function unpackBox(source: Elements, target: Elements, strides: readonly number[], box: Box): void {
  let position = 0;
  forEachRun(strides, box, (offset, length) => {
    if (length >= SET_MIN_RUN) target.set(source.subarray(position, position + length), offset);
    else for (let k = 0; k < length; k++) target[offset + k] = source[position + k]!;
    position += length;
  });
}
