/**
 * `--variant shared`: the lesson's `@distributed for` over a SharedArray. Every rank (one host) maps
 * the same two (nx+2) x (ny+2) fields, `current` and `next`; each step every rank updates its even
 * share of the interior rows of `next` from `current`, reading its neighbours' rows straight from
 * shared memory: no halo, no message but the barrier.
 *
 * One barrier per step is enough. The two fields swap roles by step parity: step s reads field
 * s % 2 and writes field (s+1) % 2, so within a step reads and writes never touch the same field.
 * A rank leaves the barrier after step s only when every rank has finished step s: every write of
 * step s is then visible to step s+1's reads, and every read of field s % 2 is done before step
 * s+1 overwrites it. A second barrier (before the writes) would only be needed with one field.
 *
 *   rows 1..nx split like split1d:   rank 0 [rows 1..k)   rank 1 [k..m)   ...   (all columns 1..ny)
 *
 * The update is stencil.ts's updateRect, term for term, so the field is bitwise the serial loop's.
 */
import { SharedArray, type Comm } from "@tsmpi/runtime";
import { split1d, type Block } from "./decompose.ts";
import { initialValue } from "./field.ts";
import { reproducibleMean } from "./reproducible-sum.ts";
import { updateRect } from "./stencil.ts";

export class SharedHeat {
  readonly #comm: Comm;
  readonly #fields: [SharedArray<Float64Array>, SharedArray<Float64Array>];
  /** The same two views, read once: `.array` checks for free() on every access. */
  readonly #views: [Float64Array, Float64Array];
  readonly nx: number;
  readonly ny: number;
  /** This rank's interior rows [row0, row0 + nrows), 1-based in 1..nx; empty when nx < size. */
  readonly row0: number;
  readonly nrows: number;
  #steps = 0;

  private constructor(comm: Comm, nx: number, ny: number, fields: [SharedArray<Float64Array>, SharedArray<Float64Array>]) {
    this.#comm = comm;
    this.nx = nx;
    this.ny = ny;
    this.#fields = fields;
    this.#views = [fields[0].array, fields[1].array];
    const rows = split1d(nx, comm.size, comm.rank);
    this.row0 = 1 + rows.start;
    this.nrows = rows.count;
  }

  /**
   * Collective: maps both fields (SharedArray.create: every rank of `comm` on one host, or every
   * rank throws its ERR_COMM), fills them with the initial field, each rank its share of all
   * nx + 2 rows, and waits until every share is written.
   */
  static async create(comm: Comm, nx: number, ny: number): Promise<SharedHeat> {
    const length = (nx + 2) * (ny + 2);
    const first = await SharedArray.create(comm, Float64Array, length);
    let second: SharedArray<Float64Array>;
    try {
      second = await SharedArray.create(comm, Float64Array, length);
    } catch (error) {
      await first.free();
      throw error;
    }
    const heat = new SharedHeat(comm, nx, ny, [first, second]);
    // Both fields: the boundary never changes, and `next` must hold it before it becomes `current`.
    const width = ny + 2;
    const rows = split1d(nx + 2, comm.size, comm.rank);
    for (const u of heat.#views) {
      for (let row = rows.start; row < rows.start + rows.count; row++) {
        for (let col = 0; col < width; col++) u[row * width + col] = initialValue(row, col, nx, ny);
      }
    }
    await comm.barrier();
    return heat;
  }

  /** The whole field after the steps taken so far (a shared view: read it between steps). */
  get current(): Float64Array {
    return this.#views[this.#steps & 1]!;
  }

  get steps(): number {
    return this.#steps;
  }

  /** Collective: one time step; when it resolves, every rank's rows of the new field are written. */
  async step(): Promise<void> {
    const u = this.#views[this.#steps & 1]!;
    const next = this.#views[(this.#steps + 1) & 1]!;
    if (this.nrows > 0) updateRect(u, next, this.ny + 2, this.row0, this.row0 + this.nrows, 1, this.ny + 1);
    await this.#comm.barrier();
    this.#steps++;
  }

  /**
   * Collective: the mean interior temperature, bitwise the same as the p2p variant's on any grid:
   * each rank feeds its own rows to reproducibleMean as a block (a view starting one row above it,
   * where a block's ghost row would be).
   */
  mean(): Promise<number> {
    const { nx, ny } = this;
    const width = ny + 2;
    const block: Block = { nx, ny, row0: this.row0, col0: 1, nrows: this.nrows, ncols: ny, width };
    return reproducibleMean(this.#comm, this.current.subarray((this.row0 - 1) * width), block);
  }

  /** Collective: unmaps both fields; `current` must not be used afterwards. */
  async free(): Promise<void> {
    await this.#fields[0].free();
    await this.#fields[1].free();
  }
}
