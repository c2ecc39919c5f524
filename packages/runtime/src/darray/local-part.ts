/**
 * `LocalPart`: the owned elements of a DArray block of two or more dimensions, without its ghost
 * layer, read and written in place. Nothing here copies except `toArray()`: `get`/`set` go to the
 * stored block, `row(...)` is a subarray view of it, and `offset(...)` with `strides` gives
 * copy-free strided access for hot loops. Indices are local: 0..localShape[d]-1, the owned
 * element at global index `localIndices[d].start + i` along d.
 */
import { invalidArguments } from "../errors.ts";
import type { Layout } from "./layout.ts";
import { ownedBox, packBox, type Elements } from "./region.ts";
import type { DArrayKind, DArrayTypedArray, ElementOf, LeadingIndex, Tuple } from "./types.ts";

/**
 * The owned elements of a DArray block of two or more dimensions, ghost layer excluded, read and
 * written in place with local indices (`get`, `set`, `row`, `offset` + `strides`; only
 * `toArray()` copies). No MPI counterpart: DistributedArrays.jl's `localpart`.
 *
 * You get one from `darray.localPart` (a plain subarray instead in 1-D).
 *
 * @example
 * ```ts
 * const part = u.localPart as LocalPart<Float64Array, 2>;
 * for (let i = 0; i < part.shape[0]; i++) part.row(i).fill(i);
 * ```
 */
export class LocalPart<A extends DArrayTypedArray = Float64Array, N extends number = number> {
  /** The owned extent of each dimension (`DArray.localShape`). */
  readonly shape: Readonly<Tuple<N>>;
  /** Row-major strides of the stored block (`withGhosts`), in elements. */
  readonly strides: Readonly<Tuple<N>>;
  /** The stored block, ghosts included (`DArray.withGhosts`): the same array, not a copy. */
  readonly storage: A;
  readonly #kind: DArrayKind<A>;
  readonly #layout: Layout;
  readonly #rank: number;
  /** Offset in `storage` of local index (0, ..., 0). */
  readonly #origin: number;

  /** @internal LocalParts come from `DArray.localPart`. */
  constructor(kind: DArrayKind<A>, storage: A, layout: Layout, rank: number) {
    this.#kind = kind;
    this.storage = storage;
    this.#layout = layout;
    this.#rank = rank;
    this.shape = layout.localShape as unknown as Readonly<Tuple<N>>;
    this.strides = layout.strides as unknown as Readonly<Tuple<N>>;
    this.#origin = layout.strides.reduce((sum, stride) => sum + stride * layout.ghost, 0);
  }

  /**
   * The offset in `storage` of the owned element at local `index`; the next element along
   * dimension d is `strides[d]` further. Local indices from -ghost to localShape[d]+ghost-1 reach
   * the ghost layer.
   */
  offset(...index: Tuple<N>): number {
    const idx = index as number[];
    const strides = this.#layout.strides;
    if (idx.length !== strides.length) this.#badIndex("offset", idx);
    let offset = this.#origin;
    for (let d = 0; d < idx.length; d++) offset += idx[d]! * strides[d]!;
    return offset;
  }

  /** The owned element at local `index`. */
  get(...index: Tuple<N>): ElementOf<A> {
    return this.storage[this.#checked("get", index as number[])] as ElementOf<A>;
  }

  /** Writes the owned element at local `index`: `set(i, j, value)`. */
  set(...indexAndValue: [...Tuple<N>, ElementOf<A>]): void {
    const args = indexAndValue as unknown[];
    const value = args[args.length - 1] as number & bigint;
    (this.storage as unknown as Elements)[this.#checked("set", args.slice(0, -1) as number[])] = value;
  }

  /**
   * The owned run along the last dimension at the leading local indices (`row(i)` in 2-D): a
   * subarray view of the stored block, so writes to it are writes to the DArray.
   */
  row(...index: LeadingIndex<N>): A {
    const lead = index as number[];
    const { localShape } = this.#layout;
    const last = localShape.length - 1;
    if (lead.length !== last || lead.some((i, d) => !Number.isInteger(i) || i < 0 || i >= localShape[d]!)) this.#badIndex("row", lead);
    const start = this.offset(...([...lead, 0] as Tuple<N>));
    return this.storage.subarray(start, start + localShape[last]!) as A;
  }

  /** A dense copy of the owned elements, row-major (localShape), without ghosts. */
  toArray(): A {
    const copy = new this.#kind(this.#layout.localLength);
    packBox(this.storage as unknown as Elements, this.#layout.strides, ownedBox(this.#layout), copy as unknown as Elements);
    return copy;
  }

  #checked(call: string, index: number[]): number {
    const shape = this.#layout.localShape;
    if (index.length !== shape.length) this.#badIndex(call, index);
    let offset = this.#origin;
    for (let d = 0; d < index.length; d++) {
      const i = index[d]!;
      if (!(i >= 0 && i < shape[d]! && Number.isInteger(i))) this.#badIndex(call, index);
      offset += i * this.#layout.strides[d]!;
    }
    return offset;
  }

  #badIndex(call: string, index: readonly unknown[]): never {
    const shape = this.#layout.localShape;
    const wanted = call === "row" ? shape.slice(0, -1) : shape;
    throw invalidArguments(
      { rank: this.#rank, call: `LocalPart.${call}` },
      `index [${index.join(", ")}] is outside the local block: it takes ${wanted.length} integer${wanted.length === 1 ? "" : "s"} ` +
        `with 0 <= index[d] < [${wanted.join(", ")}][d] (local indices; the block owns global [${this.#layout.localIndices.map((r) => `${r.start}..${r.stop - 1}`).join(", ")}])`,
      "index",
    );
  }
}
