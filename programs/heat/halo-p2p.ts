/**
 * Halo exchange with nonblocking point-to-point calls, overlapped with the update.
 *
 * One step: post the four receives, send the first/last interior rows (contiguous: sent as
 * subarray views, which isend copies before it returns) and the first/last interior columns
 * (packed into two buffers allocated once); update the points that read no ghost value; wait;
 * unpack the received halos into the ghost layer; update the strips next to it. Past the edge of
 * the domain nothing is sent or received: those ghosts hold the fixed boundary.
 *
 *        up (coords p-1)           neighbours from CartComm.shift: dim 0 moves along rows (i),
 *   left [ strips | inner ] right  dim 1 along columns (j); non-periodic, so PROC_NULL at edges.
 *        down (coords p+1)
 */
import { PROC_NULL, waitAll, type CartComm, type Request } from "@tsmpi/runtime";
import type { Block } from "./decompose.ts";
import { updateInner, updateStrips } from "./stencil.ts";

/** Tags name the direction the data travels, so a rank never mistakes one halo for another. */
const TAG_DOWN = 101;
const TAG_UP = 102;
const TAG_RIGHT = 103;
const TAG_LEFT = 104;

export class HaloP2P {
  readonly #comm: CartComm;
  readonly #block: Block;
  readonly #up: number;
  readonly #down: number;
  readonly #left: number;
  readonly #right: number;
  /** Packed first and last interior columns; reused every step (isend copies them). */
  readonly #sendLeft: Float64Array;
  readonly #sendRight: Float64Array;

  constructor(comm: CartComm, block: Block) {
    this.#comm = comm;
    this.#block = block;
    ({ source: this.#up, dest: this.#down } = comm.shift(0, 1));
    ({ source: this.#left, dest: this.#right } = comm.shift(1, 1));
    this.#sendLeft = new Float64Array(block.nrows);
    this.#sendRight = new Float64Array(block.nrows);
  }

  /** One time step: `next` gets the update of `u`, whose ghost layer the exchange refreshes. */
  async step(u: Float64Array, next: Float64Array): Promise<void> {
    const { nrows, ncols } = this.#block;
    const received = this.#start(u);
    updateInner(u, next, nrows, ncols);
    this.#unpack(u, await received);
    updateStrips(u, next, nrows, ncols);
  }

  /** Posts receives, then sends; resolves with the four halos (undefined at a domain edge). */
  async #start(u: Float64Array): Promise<(Float64Array | undefined)[]> {
    const comm = this.#comm;
    const { nrows, ncols, width } = this.#block;
    const none = Promise.resolve(undefined);
    const receives = [
      this.#up === PROC_NULL ? none : comm.irecv<Float64Array>(this.#up, TAG_DOWN),
      this.#down === PROC_NULL ? none : comm.irecv<Float64Array>(this.#down, TAG_UP),
      this.#left === PROC_NULL ? none : comm.irecv<Float64Array>(this.#left, TAG_RIGHT),
      this.#right === PROC_NULL ? none : comm.irecv<Float64Array>(this.#right, TAG_LEFT),
    ];
    const sends: Request<void>[] = [];
    if (this.#up !== PROC_NULL) sends.push(comm.isend(u.subarray(width + 1, width + 1 + ncols), this.#up, TAG_UP));
    if (this.#down !== PROC_NULL) {
      const last = nrows * width + 1;
      sends.push(comm.isend(u.subarray(last, last + ncols), this.#down, TAG_DOWN));
    }
    if (this.#left !== PROC_NULL) {
      const column = this.#sendLeft;
      for (let i = 0; i < nrows; i++) column[i] = u[(i + 1) * width + 1]!;
      sends.push(comm.isend(column, this.#left, TAG_LEFT));
    }
    if (this.#right !== PROC_NULL) {
      const column = this.#sendRight;
      for (let i = 0; i < nrows; i++) column[i] = u[(i + 1) * width + ncols]!;
      sends.push(comm.isend(column, this.#right, TAG_RIGHT));
    }
    const [halos] = await Promise.all([waitAll(receives), waitAll(sends)]);
    return halos;
  }

  #unpack(u: Float64Array, [up, down, left, right]: (Float64Array | undefined)[]): void {
    const { nrows, ncols, width } = this.#block;
    if (up !== undefined) u.set(checked(up, ncols, "up"), 1);
    if (down !== undefined) u.set(checked(down, ncols, "down"), (nrows + 1) * width + 1);
    if (left !== undefined) {
      checked(left, nrows, "left");
      for (let i = 0; i < nrows; i++) u[(i + 1) * width] = left[i]!;
    }
    if (right !== undefined) {
      checked(right, nrows, "right");
      for (let i = 0; i < nrows; i++) u[(i + 1) * width + ncols + 1] = right[i]!;
    }
  }
}

function checked(halo: Float64Array, length: number, side: string): Float64Array {
  if (!(halo instanceof Float64Array) || halo.length !== length) {
    throw new Error(`heat: the ${side} halo should be a Float64Array of ${length} values, got ${String(halo?.length)} values`);
  }
  return halo;
}
