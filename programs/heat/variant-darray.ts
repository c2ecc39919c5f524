/**
 * The heat equation written with `DArray` (DistributedArrays.jl style): the interior nx x ny field
 * is a block-distributed array with a one-point ghost layer; the fixed boundary lives in the ghosts
 * at the edge of the domain (set once by `fill` with `ghosts: true`), and each step is
 * `exchangeHaloStart` / update the points that need no ghost / wait / update the edge strips.
 * DArray splits blocks exactly like decompose.ts, so its stored block (`withGhosts`) is the same
 * (nrows+2) x (ncols+2) array the p2p variant uses, and the stencil, the mean and the gather are
 * shared with it: the final field is bitwise the same.
 */
import { DArray, type CartComm } from "@tsmpi/runtime";
import type { Block } from "./decompose.ts";
import { initialValue } from "./field.ts";
import { updateInner, updateStrips } from "./stencil.ts";

export class DArrayHeat {
  #u: DArray<Float64Array, 2>;
  #next: DArray<Float64Array, 2>;
  readonly #block: Block;

  private constructor(u: DArray<Float64Array, 2>, next: DArray<Float64Array, 2>, block: Block) {
    this.#u = u;
    this.#next = next;
    this.#block = block;
  }

  /** Collective over `cart`: two distributed fields, both with the initial field and boundary. */
  static async create(cart: CartComm, block: Block): Promise<DArrayHeat> {
    const { nx, ny } = block;
    const make = async (): Promise<DArray<Float64Array, 2>> => {
      const field = await DArray.create(cart, Float64Array, [nx, ny], { ghost: 1 });
      // DArray indices are interior (0..nx-1); the field's rows/columns count the boundary too.
      field.fill((i: number, j: number) => initialValue(i + 1, j + 1, nx, ny), { ghosts: true });
      return field;
    };
    const u = await make();
    const next = await make();
    const [rows, cols] = u.localIndices;
    if (rows!.start + 1 !== block.row0 || cols!.start + 1 !== block.col0 || u.localShape[0] !== block.nrows || u.localShape[1] !== block.ncols) {
      throw new Error("heat: DArray's block split differs from the p2p decomposition");
    }
    return new DArrayHeat(u, next, block);
  }

  /** The current field's stored block (ghosts included), laid out like the p2p variant's array. */
  get field(): Float64Array {
    return this.#u.withGhosts;
  }

  async step(): Promise<void> {
    const { nrows, ncols } = this.#block;
    const u = this.#u.withGhosts;
    const next = this.#next.withGhosts;
    // Faces only: a 5-point stencil reads no corner ghost, and one round costs one latency.
    const exchange = this.#u.exchangeHaloStart({ corners: false });
    updateInner(u, next, nrows, ncols);
    await exchange;
    updateStrips(u, next, nrows, ncols);
    [this.#u, this.#next] = [this.#next, this.#u];
  }

  free(): void {
    this.#u.free();
    this.#next.free();
  }
}
