/**
 * The halo exchange of a DArray: fills the ghost layer of the block from the neighbouring blocks.
 *
 * Along dimension d, a block sends its first `ghost` owned slices to its negative neighbour and its
 * last `ghost` to its positive one, and receives theirs into its two ghost slabs. Past a
 * non-periodic edge the neighbour is PROC_NULL: nothing is sent and that ghost slab keeps what the
 * program put there (boundary values). A periodic dimension wraps; with one process along it the
 * block exchanges with itself, with two both neighbours are one rank, and the tag (the direction
 * the data travels) tells the two messages apart.
 *
 * Corners (the standard trick, one dimension after the other): the exchange along d covers the
 * whole stored extent of every other dimension, ghosts included, so each stage forwards the
 * ghosts the earlier stages filled, and after N rounds a corner ghost holds what the diagonal
 * neighbour owns. Stages run from the last dimension to the first; the dimension-0 faces are
 * bands of whole stored rows, contiguous, sent as subarray views with no packing. A ghost cell
 * that lies outside the block along a set F of dimensions with a neighbour there (and past a
 * non-periodic edge along the rest, O) ends up with the value that the rank whose block contains
 * it along F holds at that global position: its owner when O is empty, else that rank's own ghost
 * value (a boundary value the program set); a ghost past edges only (F empty) is never written.
 * With `corners: false` every face goes in one round, each over the owned extent of the other
 * dimensions: only the ghosts outside the block along exactly one dimension are written.
 *
 *     2-D, ghost 1, corners:      stage 1 (dim 1)        stage 2 (dim 0, whole rows)
 *       . . . . .                   c . . . c              r r r r r   <- from the block above
 *       . x x x .                   c x x x c              c x x x c
 *       . x x x .                   c x x x c              c x x x c
 *       . . . . .                   c . . . c              r r r r r   <- from the block below
 *
 * Messages use the DArray's private duplicate of the grid, so they never match the program's own
 * point-to-point messages or collectives. Non-contiguous faces are packed into buffers allocated
 * once per DArray and mode; isend copies them before it returns, so they are reused at once.
 * Received faces arrive as new arrays from the transport and are copied into the ghost slabs.
 * Internal to the runtime, not part of its API.
 */
import type { CartComm } from "../comm/cart-comm.ts";
import { PROC_NULL } from "../constants.ts";
import { collectiveMismatch, notUsable } from "../errors.ts";
import type { Layout } from "./layout.ts";
import { boxSize, contiguousSpan, packBox, unpackBox, type Box, type Elements } from "./region.ts";
import type { DArrayKind, DArrayTypedArray } from "./types.ts";

interface Transfer {
  readonly peer: number;
  readonly sendTag: number;
  readonly recvTag: number;
  readonly send: Box;
  readonly recv: Box;
  readonly size: number;
  /** The send box as a stretch of the storage, when it is one: sent as a view, unpacked by `set`. */
  readonly sendSpan: [number, number] | undefined;
  readonly recvSpan: [number, number] | undefined;
  /** Packing buffer for a non-contiguous send box. */
  readonly buffer: Elements | undefined;
}

/** Transfers that run at once; the stages of a plan run one after the other. */
type Stage = readonly Transfer[];

export class Halo {
  readonly #comm: CartComm;
  readonly #kind: DArrayKind<DArrayTypedArray>;
  readonly #storage: Elements;
  readonly #layout: Layout;
  /** Plans by mode, made on first use: `true` with corners, `false` faces only. */
  readonly #plans = new Map<boolean, readonly Stage[]>();
  #busy = false;

  constructor(comm: CartComm, kind: DArrayKind<DArrayTypedArray>, storage: Elements, layout: Layout) {
    this.#comm = comm;
    this.#kind = kind;
    this.#storage = storage;
    this.#layout = layout;
  }

  /**
   * Starts an exchange: the first stage's receives and sends are posted before this returns, the
   * rest as the promise advances. Only one exchange per DArray may be in flight.
   */
  start(corners: boolean, call: string): Promise<void> {
    if (this.#busy) {
      throw notUsable(
        { rank: this.#comm.rank, call },
        "a halo exchange of this DArray is still in flight; await the request of exchangeHaloStart() first",
      );
    }
    const stages = this.#plan(corners);
    if (stages.length === 0) return Promise.resolve();
    this.#busy = true;
    const run = this.#run(stages, call);
    const done = (): void => {
      this.#busy = false;
    };
    run.then(done, done);
    return run;
  }

  async #run(stages: readonly Stage[], call: string): Promise<void> {
    for (const stage of stages) {
      const comm = this.#comm;
      const storage = this.#storage;
      const received = stage.map((t) => comm.irecv<Elements>(t.peer, t.recvTag));
      const sent = stage.map((t) => {
        if (t.sendSpan !== undefined) return comm.isend(storage.subarray(t.sendSpan[0], t.sendSpan[1]), t.peer, t.sendTag);
        packBox(storage, this.#layout.strides, t.send, t.buffer!);
        return comm.isend(t.buffer, t.peer, t.sendTag);
      });
      const faces = await Promise.all(received);
      await Promise.all(sent);
      stage.forEach((t, i) => {
        const face = faces[i]!;
        if (face.length !== t.size || !(face instanceof this.#kind)) {
          throw collectiveMismatch(
            { rank: comm.rank, call },
            `rank ${t.peer} sent a halo face of ${describe(face)} where ${t.size} ${this.#kind.name} elements were expected: ` +
              "the ranks made this DArray with different shapes, kinds or ghost widths",
          );
        }
        if (t.recvSpan !== undefined) storage.set(face, t.recvSpan[0]);
        else unpackBox(face, storage, this.#layout.strides, t.recv);
      });
    }
  }

  #plan(corners: boolean): readonly Stage[] {
    let stages = this.#plans.get(corners);
    if (stages === undefined) {
      stages = corners ? this.#dims().reverse().map((d) => this.#transfers(d, true)) : [this.#dims().flatMap((d) => this.#transfers(d, false))];
      stages = stages.filter((stage) => stage.length > 0);
      this.#plans.set(corners, stages);
    }
    return stages;
  }

  /** The dimensions with a neighbour on either side. */
  #dims(): number[] {
    if (this.#layout.ghost === 0) return [];
    return this.#layout.globalShape.map((_, d) => d).filter((d) => {
      const { source, dest } = this.#comm.shift(d, 1);
      return source !== PROC_NULL || dest !== PROC_NULL;
    });
  }

  #transfers(d: number, corners: boolean): Transfer[] {
    const { ghost: g, localShape, storageShape, strides } = this.#layout;
    const n = localShape[d]!;
    const { source: negative, dest: positive } = this.#comm.shift(d, 1);
    const box = (lo: number, hi: number): Box => {
      const across = (k: number): [number, number] => (k === d ? [lo, hi] : corners ? [0, storageShape[k]!] : [g, g + localShape[k]!]);
      const ranges = storageShape.map((_, k) => across(k));
      return { lo: ranges.map((r) => r[0]), hi: ranges.map((r) => r[1]) };
    };
    const transfer = (peer: number, sendTag: number, recvTag: number, send: Box, recv: Box): Transfer => {
      const sendSpan = contiguousSpan(storageShape, strides, send);
      const size = boxSize(send);
      return {
        peer,
        sendTag,
        recvTag,
        send,
        recv,
        size,
        sendSpan,
        recvSpan: contiguousSpan(storageShape, strides, recv),
        buffer: sendSpan === undefined ? (new this.#kind(size) as unknown as Elements) : undefined,
      };
    };
    // Tag 2d: travels towards the negative neighbour; 2d + 1: towards the positive one.
    const transfers: Transfer[] = [];
    if (negative !== PROC_NULL) transfers.push(transfer(negative, 2 * d, 2 * d + 1, box(g, 2 * g), box(0, g)));
    if (positive !== PROC_NULL) transfers.push(transfer(positive, 2 * d + 1, 2 * d, box(n, n + g), box(n + g, n + 2 * g)));
    return transfers;
  }
}

function describe(face: unknown): string {
  if (ArrayBuffer.isView(face) && "length" in face) return `${face.length} ${face.constructor.name} elements`;
  return typeof face;
}
