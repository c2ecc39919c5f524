/**
 * `DArray`: DistributedArrays.jl's distributed array for SPMD programs. An N-dimensional typed
 * array (Float64Array, or any other kind) split into blocks over a Cartesian process grid, one
 * block per rank, row-major (last index fastest), each block stored with an optional ghost layer
 * that `exchangeHalo` fills from the neighbouring blocks.
 *
 * ```ts
 * const cart = (await world.createCart(computeDims(world.size, 2), [false, false]))!;
 * const u = await DArray.create(cart, Float64Array, [nx, ny], { ghost: 1 });
 * u.fill((i, j) => Math.sin(i) * Math.cos(j));
 * await u.exchangeHalo();                 // ghosts now hold the neighbours' edge values
 * const total = await u.sum();            // on every rank
 * const full = await u.gather(0);         // the whole array on rank 0, undefined elsewhere
 * ```
 *
 * Split: along dimension d, `globalShape[d]` elements over `cart.dims[d]` processes, the first
 * `globalShape[d] % cart.dims[d]` blocks one element longer (MPI's block distribution); the
 * grid must have one dimension per array dimension. Views and copies: `withGhosts` is the stored
 * block itself; `localPart` is a view of its owned part (a subarray in 1-D, a `LocalPart`
 * accessor over the same memory in 2-D and up); `gather`, `map` and `LocalPart.toArray()` copy.
 *
 * Collective calls (every rank of the grid, in the same order): `create`, `distribute`, `map`,
 * `gather`, the reductions, `exchangeHalo`/`exchangeHaloStart` (with the neighbours), `free`.
 * Local calls: `fill`, `mapInPlace`, `localPart`, the properties. The DArray's own messages go
 * over a private duplicate of the grid, so they never match the program's messages.
 */
import type { Comm } from "../comm/comm.ts";
import { badArgument, invalidArguments, notAnOp } from "../errors.ts";
import { Op, type OpLike } from "../ops/op.ts";
import { requestFor, type Request } from "../p2p/request.ts";
import type { CartComm } from "../comm/cart-comm.ts";
import { checkCart, checkFunction, checkGhost, checkKind, checkRoot, checkShape } from "./check.ts";
import { assemble, cut, packOwned, unpackOwned } from "./collect.ts";
import { forEachElement, indexCaller, valueIndexCaller } from "./elementwise.ts";
import { Halo } from "./halo.ts";
import { layoutOf, product, type Layout } from "./layout.ts";
import { LocalPart } from "./local-part.ts";
import { add, applyOp, combine, emptyArray, ExactSum, foldOwned, integerStep, larger, smaller } from "./reduce.ts";
import type { Elements } from "./region.ts";
import type { DArrayKind, DArrayOptions, DArrayTypedArray, ElementOf, FillOptions, HaloOptions, IndexRange, Tuple } from "./types.ts";

/** What `localPart` is: the owned subarray in 1-D, a `LocalPart` accessor in 2-D and up. */
export type LocalPartOf<A extends DArrayTypedArray, N extends number> = number extends N ? A | LocalPart<A, N> : N extends 1 ? A : LocalPart<A, N>;

/**
 * An N-dimensional typed array split into one block per rank over a Cartesian process grid, with
 * an optional ghost layer that `exchangeHalo()` fills from the neighbouring blocks (Julia's
 * DistributedArrays.jl `DArray`; MPI itself has none: with mpi4py you would keep the blocks by
 * hand on an `MPI.Cartcomm` and swap ghost rows with `Sendrecv`, as PETSc's DMDA does for you).
 *
 * You get one from `await DArray.create(cart, kind, globalShape, options)` (zero-filled) or
 * `DArray.distribute(...)` (from a whole array on a root), on a {@link CartComm} with one
 * dimension per array dimension; `map` makes a new one, `free()` releases it.
 *
 * @example
 * ```ts
 * const cart = (await world.createCart(computeDims(world.size, 2), [false, false]))!;
 * const u = await DArray.create(cart, Float64Array, [nx, ny], { ghost: 1 });
 * u.fill((i, j) => i + j);
 * await u.exchangeHalo();
 * const total = await u.sum(); // on every rank
 * ```
 */
export class DArray<A extends DArrayTypedArray = Float64Array, N extends number = number> {
  /** The process grid the array is distributed over (the one passed to `create`). */
  readonly cart: CartComm;
  /** The typed array class of the elements. */
  readonly kind: DArrayKind<A>;
  /** The extent of the whole array in each dimension. */
  readonly globalShape: Readonly<Tuple<N>>;
  /** The extent of this rank's block in each dimension (0 for an empty block). */
  readonly localShape: Readonly<Tuple<N>>;
  /** Per dimension, the global indices `[start, stop)` this rank owns. */
  readonly localIndices: Readonly<Tuple<N, Readonly<IndexRange>>>;
  /** The width of the ghost layer on each side of the block, in every dimension. */
  readonly ghost: number;
  /**
   * The stored block, ghost layer included: a typed array of `localShape[d] + 2 * ghost` per
   * dimension, row-major, the owned element at local index (i, j) at stored (i + ghost, j + ghost).
   * The DArray's memory itself, not a copy; the same object for the DArray's whole life.
   */
  readonly withGhosts: A;
  readonly #comm: CartComm;
  readonly #layout: Layout;
  readonly #halo: Halo;
  readonly #localPart: LocalPartOf<A, N>;

  private constructor(cart: CartComm, comm: CartComm, kind: DArrayKind<A>, layout: Layout, storage: A) {
    this.cart = cart;
    this.#comm = comm;
    this.kind = kind;
    this.#layout = layout;
    this.globalShape = layout.globalShape as unknown as Readonly<Tuple<N>>;
    this.localShape = layout.localShape as unknown as Readonly<Tuple<N>>;
    this.localIndices = layout.localIndices as unknown as Readonly<Tuple<N, Readonly<IndexRange>>>;
    this.ghost = layout.ghost;
    this.withGhosts = storage;
    this.#halo = new Halo(comm, kind, storage as unknown as Elements, layout);
    const g = layout.ghost;
    this.#localPart = (
      layout.localShape.length === 1 ? storage.subarray(g, g + layout.localShape[0]!) : new LocalPart<A, N>(kind, storage, layout, comm.rank)
    ) as LocalPartOf<A, N>;
  }

  /**
   * A zero-filled DArray of `globalShape` over the grid `cart` (ghosts zero too). `Kind` is the
   * typed array class, e.g. `Float64Array`. Collective over `cart`; throws ERR_ARG on every rank
   * when the array's dimension count differs from the grid's or the ghost layer is wider than the
   * smallest block of a dimension that exchanges halos.
   */
  static async create<A extends DArrayTypedArray, const S extends readonly number[]>(
    cart: CartComm,
    Kind: DArrayKind<A>,
    globalShape: S,
    options: DArrayOptions = {},
  ): Promise<DArray<A, S["length"]>> {
    const call = "DArray.create";
    checkCart(cart, call);
    const kind = checkKind<A>(Kind, cart.rank, call, "Kind");
    const shape = checkShape(cart, globalShape, call);
    const ghost = checkGhost(cart, shape, options?.ghost ?? 0, call);
    const layout = layoutOf(shape, cart.dims, cart.coords, ghost);
    const comm = await cart.dup();
    return new DArray<A, S["length"]>(cart, comm, kind, layout, new kind(layout.storageLength));
  }

  /**
   * A DArray holding `fullArray`, the whole array in row-major order, which only `root` passes
   * (the other ranks pass `undefined`); each rank receives its block (MPI_Scatterv of blocks).
   * The kind is the root array's. Ghosts are zero. Collective over `cart`. A root array of the
   * wrong length fails on every rank (ERR_ARG naming the root), after one scatter.
   */
  static async distribute<A extends DArrayTypedArray = Float64Array, const S extends readonly number[] = readonly number[]>(
    cart: CartComm,
    fullArray: A | undefined,
    globalShape: S,
    root = 0,
    options: DArrayOptions = {},
  ): Promise<DArray<A, S["length"]>> {
    const call = "DArray.distribute";
    checkCart(cart, call);
    const shape = checkShape(cart, globalShape, call);
    checkRoot(cart, root, call);
    const ghost = checkGhost(cart, shape, options?.ghost ?? 0, call);
    let items: (A | string)[] | undefined;
    if (cart.rank === root) {
      const problem = rootProblem(fullArray, shape);
      items = problem !== undefined ? Array<string>(cart.size).fill(problem) : cut(cart, checkKind<A>(fullArray!.constructor, cart.rank, call, "fullArray"), shape, fullArray!);
    }
    const comm = await cart.dup();
    const block = await comm.scatter(items, root);
    if (typeof block === "string") {
      comm.free();
      throw invalidArguments({ rank: cart.rank, call }, `on root ${root}: ${block}`, "fullArray");
    }
    const kind = checkKind<A>(block.constructor, cart.rank, call, "fullArray");
    const layout = layoutOf(shape, cart.dims, cart.coords, ghost);
    const storage = new kind(layout.storageLength);
    unpackOwned(block, storage, layout);
    return new DArray<A, S["length"]>(cart, comm, kind, layout, storage);
  }

  /** The number of dimensions. */
  get ndims(): N {
    return this.#layout.globalShape.length as N;
  }

  /**
   * The owned elements without the ghost layer, as a view of `withGhosts` (writes go to the
   * DArray): in 1-D the subarray of the owned elements; in 2-D and up a `LocalPart` with
   * `get(i, j)`, `set(i, j, v)`, `row(i)` (a subarray view), `offset(i, j)` + `strides`, and
   * `toArray()` (a copy). Local indices: 0..localShape[d]-1.
   */
  get localPart(): LocalPartOf<A, N> {
    return this.#localPart;
  }

  /**
   * Fills the ghost layer from the neighbouring blocks along every dimension; periodic dimensions
   * wrap, and past a non-periodic edge the ghosts keep what the program put there (boundary
   * values, e.g. from `fill(fn, { ghosts: true })`). By default edge and corner ghosts are filled
   * too, one round per dimension: a corner ghost inside the array gets the diagonal neighbour's
   * element, and one past an edge along some dimensions but inside a neighbour's block along the
   * others gets that neighbour's ghost value there. `{ corners: false }` sends only the faces, in
   * one round, and leaves corner ghosts untouched (enough for a 5-point stencil). Collective with
   * the neighbours; faces travel on the DArray's private communicator.
   */
  async exchangeHalo(options: HaloOptions = {}): Promise<void> {
    await this.#halo.start(corners(options, this.#comm.rank, "DArray.exchangeHalo"), "DArray.exchangeHalo");
  }

  /**
   * Starts `exchangeHalo` and returns at once: update the interior (the elements at least `ghost`
   * from the block's edge, which need no ghost) while the faces travel, then await the request
   * before reading the ghosts. The faces of the first round are copied before it returns; with
   * corners (more than one round) later rounds read the block as they go, so do not write the
   * owned elements until the request completes. One exchange per DArray at a time (ERR_STATE).
   */
  exchangeHaloStart(options: HaloOptions = {}): Request<void> {
    return requestFor(this.#halo.start(corners(options, this.#comm.rank, "DArray.exchangeHaloStart"), "DArray.exchangeHaloStart"));
  }

  /** The whole array (without ghosts), row-major, as a new typed array on `root`; undefined elsewhere. Collective. */
  async gather(root = 0): Promise<A | undefined> {
    checkRoot(this.#comm, root, "DArray.gather");
    const blocks = await this.#comm.gather(packOwned(this.kind, this.withGhosts, this.#layout), root);
    return blocks === undefined ? undefined : assemble(this.#comm, this.kind, this.#layout.globalShape, blocks);
  }

  /**
   * A new DArray of the same shape, split and ghost width, element i being `fn(value, ...index)`
   * of this one's (global index); `Kind` changes the element type. Ghosts of the result are zero.
   * Collective (the result gets its own private communicator).
   */
  async map(fn: (value: ElementOf<A>, ...index: Tuple<N>) => ElementOf<A>): Promise<DArray<A, N>>;
  async map<B extends DArrayTypedArray>(fn: (value: ElementOf<A>, ...index: Tuple<N>) => ElementOf<B>, Kind: DArrayKind<B>): Promise<DArray<B, N>>;
  async map<B extends DArrayTypedArray>(fn: (value: ElementOf<A>, ...index: Tuple<N>) => ElementOf<B>, Kind?: DArrayKind<B>): Promise<DArray<B, N>> {
    const rank = this.#comm.rank;
    checkFunction(fn, rank, "DArray.map", "fn");
    const kind = Kind === undefined ? (this.kind as unknown as DArrayKind<B>) : checkKind<B>(Kind, rank, "DArray.map", "Kind");
    const storage = new kind(this.#layout.storageLength);
    const source = this.withGhosts as unknown as Elements;
    const target = storage as unknown as Elements;
    const call = valueIndexCaller(this.#layout.globalShape.length, fn as unknown as (value: unknown, ...index: number[]) => number | bigint);
    forEachElement(this.#layout, false, (offset, index) => {
      target[offset] = call(source[offset], index);
    });
    const comm = await this.#comm.dup();
    return new DArray<B, N>(this.cart, comm, kind, this.#layout, storage);
  }

  /** `value = fn(value, ...index)` for every owned element, in place. Local; returns this DArray. */
  mapInPlace(fn: (value: ElementOf<A>, ...index: Tuple<N>) => ElementOf<A>): this {
    checkFunction(fn, this.#comm.rank, "DArray.mapInPlace", "fn");
    const storage = this.withGhosts as unknown as Elements;
    const call = valueIndexCaller(this.#layout.globalShape.length, fn as unknown as (value: unknown, ...index: number[]) => number | bigint);
    forEachElement(this.#layout, false, (offset, index) => {
      storage[offset] = call(storage[offset], index);
    });
    return this;
  }

  /**
   * Sets every owned element to `value`, or to `fn(...index)` of its global index. With
   * `{ ghosts: true }` the ghost layer too, by the ghost cell's global index (outside the array
   * past its edges, not wrapped). Local; returns this DArray.
   */
  fill(value: ElementOf<A> | ((...index: Tuple<N>) => ElementOf<A>), options: FillOptions = {}): this {
    const storage = this.withGhosts as unknown as Elements;
    const ghosts = options?.ghosts ?? false;
    if (typeof value !== "function") {
      if (ghosts) (this.withGhosts as unknown as { fill(v: unknown): void }).fill(value);
      else forEachElement(this.#layout, false, (offset) => (storage[offset] = value));
      return this;
    }
    const call = indexCaller(this.#layout.globalShape.length, value as unknown as (...index: number[]) => number | bigint);
    forEachElement(this.#layout, ghosts, (offset, index) => {
      storage[offset] = call(index);
    });
    return this;
  }

  /**
   * The sum of all elements, on every rank: each block summed row-major, the block sums added in
   * rank order, so the result is the same on every rank and every run on this grid, but a float
   * sum may differ in the last bits on another grid. `sumExact` does not. An integer sum wraps
   * as C's does (and as allreduce's `Op.SUM` on that kind). 0 for an empty array.
   */
  async sum(): Promise<ElementOf<A>> {
    const total = await this.#fold(integerStep(Op.SUM, this.kind) ?? add);
    return (total ?? (this.#isBig() ? 0n : 0)) as ElementOf<A>;
  }

  /**
   * The correctly rounded sum of all elements, on every rank: the same bits for every process
   * grid, equal to a serial `math.fsum`; slower than `sum` (exact partials per element, one
   * allgather of a few doubles per rank). For BigInt kinds the same as `sum`.
   */
  async sumExact(): Promise<ElementOf<A>> {
    if (this.#isBig()) return this.sum();
    const exact = new ExactSum();
    const storage = this.withGhosts as unknown as Elements;
    forEachElement(this.#layout, false, (offset) => exact.add(storage[offset] as number));
    const all = await this.#comm.allgather({ partials: exact.partials, special: exact.special, hasSpecial: exact.hasSpecial });
    const total = new ExactSum();
    for (const part of all) {
      for (const p of part.partials) total.add(p);
      if (part.hasSpecial) total.add(part.special);
    }
    return total.value() as ElementOf<A>;
  }

  /** The largest element on every rank (NaN if any is NaN). ERR_ARG for an empty array. */
  async max(): Promise<ElementOf<A>> {
    return (await this.#fold(larger)) ?? emptyArray(this.#comm.rank, "DArray.max");
  }

  /** The smallest element on every rank (NaN if any is NaN). ERR_ARG for an empty array. */
  async min(): Promise<ElementOf<A>> {
    return (await this.#fold(smaller)) ?? emptyArray(this.#comm.rank, "DArray.min");
  }

  /**
   * `op` over all elements, on every rank: a built-in `Op` (SUM, PROD, MIN, MAX, ...), an
   * `Op.create` op or a plain function, folded over each block row-major and over the blocks in
   * rank order; the result depends on the grid unless `op` is associative and commutative (in
   * 2-D and up, rank order is not global row-major order). A built-in op on an integer kind
   * computes as allreduce does on it: the result wraps as C's does (`Op.PROD` of Int32 values is
   * the product modulo 2^32). ERR_ARG for an empty array.
   */
  async reduce(op: OpLike<ElementOf<A>>): Promise<ElementOf<A>> {
    const rank = this.#comm.rank;
    const call = "DArray.reduce";
    if (!(op instanceof Op) && typeof op !== "function") {
      throw notAnOp({ rank, call }, op, "an Op or a function (a, b) => c");
    }
    const step =
      integerStep(op, this.kind) ?? ((a: number | bigint, b: number | bigint): number | bigint => applyOp(op as OpLike<number | bigint>, a, b, rank, call));
    return ((await this.#fold(step)) ?? emptyArray(rank, call)) as ElementOf<A>;
  }

  /** Releases the DArray's private communicator. Collective; no exchange may be in flight. */
  free(): void {
    this.#comm.free();
  }

  async #fold(step: (a: number | bigint, b: number | bigint) => number | bigint): Promise<ElementOf<A> | undefined> {
    const partial = foldOwned(this.withGhosts as unknown as Elements, this.#layout, (v) => v, step);
    return (await combine(this.#comm, partial, step)) as ElementOf<A> | undefined;
  }

  #isBig(): boolean {
    return (this.kind as unknown) === BigInt64Array || (this.kind as unknown) === BigUint64Array;
  }
}

function corners(options: HaloOptions, rank: number, call: string): boolean {
  const value = options?.corners ?? true;
  if (typeof value !== "boolean") throw badArgument({ rank, call }, "corners", value, "true or false");
  return value;
}

/** Why the root's full array cannot be distributed, or undefined. */
function rootProblem(full: unknown, shape: readonly number[]): string | undefined {
  if (!ArrayBuffer.isView(full) || full instanceof DataView) return `fullArray must be a typed array, got ${full === undefined ? "undefined" : typeof full}`;
  const length = product(shape);
  const got = (full as DArrayTypedArray).length;
  if (got !== length) return `fullArray has ${got} elements but globalShape [${shape.join(", ")}] holds ${length}`;
  return undefined;
}
