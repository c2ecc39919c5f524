/**
 * `SharedArray`: Distributed.jl's SharedArray for the ranks of one host. Every rank of the
 * communicator maps the same POSIX shared memory segment, so a write by one rank is seen by the
 * others without a message; `barrier()` orders the writes and the reads (the lesson's pattern:
 * each rank updates its `localRange()`, barrier, everyone reads everything).
 *
 * create(), collectively:
 *   1. rank 0 creates the segment `/tsmpi-<job>-<pid>-<n>-<random>` (zero-filled) and guards it;
 *   2. one allgather of { host, element type, length, name } lets every rank check the same
 *      things and refuse together (several hosts, different arguments, a failed create);
 *   3. the other ranks attach by name; a second allgather reports each attach;
 *   4. rank 0 unlinks the name. From then on nothing can leak: the memory lives exactly as long
 *      as some rank still maps it (shm/segment.ts explains the window before step 4).
 * free() is a barrier, then every rank unmaps its view.
 *
 * Linux only (POSIX shared memory in /dev/shm).
 */
import { TYPED_ARRAY_CLASSES, type AnyTypedArray } from "../wire/typed-array.ts";
import os from "node:os";
import type { Comm } from "../comm/comm.ts";
import { runtimeState } from "../lifecycle/state.ts";
import { hostIdentity } from "../wireup/host-identity.ts";
import { sharedSegmentPrefix } from "../wireup/protocol.ts";
import { collectiveMismatch, invalidArguments, notUsable, TsmpiError, wrongCommunicator } from "../errors.ts";
import { blockRange, type IndexRange } from "../pmap/block-range.ts";
import { attachSegment, createSegment, detachSegment, shmModule, unlinkOnEnd, unlinkSegment } from "../shm/segment.ts";

/** The typed arrays a SharedArray can hold. */
export type SharedTypedArray = AnyTypedArray;

/** A typed array class, e.g. `Float64Array`. */
export interface SharedArrayKind<A extends SharedTypedArray> {
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): A;
}

const KINDS: readonly SharedArrayKind<SharedTypedArray>[] = TYPED_ARRAY_CLASSES;

/** What each rank tells the others in step 2. */
interface Shape {
  host: string;
  kind: string;
  length: number;
  /** This rank's own argument error, if any. */
  problem?: string;
  /** Rank 0: the segment's name, or why it could not be made. */
  name?: string;
  createError?: string;
}

let created = 0;

/**
 * A typed array in POSIX shared memory that every rank of a one-host communicator maps: a write
 * by one rank is seen by the others without a message; `barrier()` orders writes and reads.
 * Julia's `SharedArray`; in MPI terms a shared-memory window (MPI_Win_allocate_shared, mpi4py's
 * `MPI.Win.Allocate_shared`) with `barrier()` in place of MPI_Win_sync + MPI_Barrier.
 *
 * You get one from `await SharedArray.create(comm, Float64Array, length)` (collective, zero-filled,
 * ERR_COMM if the ranks are on several hosts) and release it with `await shared.free()`. Linux only.
 *
 * @example
 * ```ts
 * const shared = await SharedArray.create(world, Float64Array, 1000);
 * const { start, stop } = shared.localRange();
 * for (let i = start; i < stop; i++) shared.array[i] = i * i;
 * await shared.barrier();            // every rank's writes are now visible to every rank
 * const total = shared.array.reduce((a, b) => a + b, 0);
 * await shared.free();
 * ```
 */
export class SharedArray<A extends SharedTypedArray = Float64Array> {
  readonly #comm: Comm;
  readonly #name: string;
  readonly #view: A;
  #freed = false;

  private constructor(comm: Comm, name: string, view: A) {
    this.#comm = comm;
    this.#name = name;
    this.#view = view;
  }

  /**
   * A zero-filled shared `kind` array of `length` elements, mapped by every rank of `comm`.
   * Collective; every rank passes the same kind and length. Every rank of `comm` must run on one
   * host: otherwise every rank throws ERR_COMM. Different kinds or lengths are ERR_COLL_MISMATCH,
   * a bad argument on any rank ERR_ARG, a segment that cannot be made or mapped ERR_STATE, all
   * thrown on every rank.
   */
  static async create<A extends SharedTypedArray>(comm: Comm, kind: SharedArrayKind<A>, length: number): Promise<SharedArray<A>> {
    const { rank, size } = comm;
    const call = "SharedArray.create";
    const problem = !KINDS.includes(kind as unknown as SharedArrayKind<SharedTypedArray>)
      ? `kind must be a typed array class such as Float64Array (got ${describe(kind)})`
      : !Number.isSafeInteger(length) || length < 0
        ? `length must be a non-negative integer (got ${String(length)})`
        : undefined;
    const bytes = problem === undefined ? length * kind.BYTES_PER_ELEMENT : 0;

    const shm = await shmModule();
    const mine: Shape = { host: os.hostname(), kind: problem === undefined ? kind.name : "?", length, problem };
    let buffer: Buffer | undefined;
    let disarm: (() => void) | undefined;
    if (rank === 0 && problem === undefined) {
      try {
        for (let attempt = 0; buffer === undefined; attempt++) {
          const name = segmentName();
          buffer = createSegment(shm, name, bytes);
          if (buffer !== undefined) {
            disarm = unlinkOnEnd(name);
            mine.name = name;
          } else if (attempt >= 5) {
            throw new Error(`could not find a free segment name (last tried ${name})`);
          }
        }
      } catch (error) {
        mine.createError = String((error as Error)?.message ?? error);
      }
    }

    // From here every rank decides from the same facts, so all succeed or all throw.
    let shapes: Shape[];
    try {
      shapes = await comm.allgather(mine);
    } catch (error) {
      if (mine.name !== undefined) unlinkSegment(mine.name);
      throw error;
    }
    const name = shapes[0]!.name;
    const abandon = (): void => {
      if (rank === 0 && name !== undefined) {
        unlinkSegment(name);
        detachSegment(shm, name);
        disarm?.();
      }
    };

    const refusal = refuse(shapes, rank, size, call);
    if (refusal !== undefined) {
      abandon();
      throw refusal;
    }

    let attachError: string | undefined;
    if (rank !== 0) {
      try {
        buffer = attachSegment(shm, name!);
        if (buffer === undefined) attachError = `segment ${name} does not exist`;
      } catch (error) {
        attachError = String((error as Error)?.message ?? error);
      }
    }
    let attached: (string | null)[];
    try {
      attached = await comm.allgather(attachError ?? null);
    } finally {
      if (rank === 0) {
        unlinkSegment(name!);
        disarm?.();
      }
    }
    const failed = attached.flatMap((error, r) => (error === null ? [] : [`rank ${r}: ${error}`]));
    if (failed.length > 0) {
      if (buffer !== undefined) detachSegment(shm, name!);
      throw notUsable({ rank, call }, `shared memory could not be mapped: ${failed.join("; ")}`);
    }
    const view = new kind(buffer!.buffer as ArrayBuffer, buffer!.byteOffset, length);
    return new SharedArray(comm, name!, view);
  }

  /** The shared elements; every rank sees every rank's writes (after a barrier, to be sure they are done). */
  get array(): A {
    if (this.#freed) throw notUsable({ rank: this.#comm.rank, call: "SharedArray.array" }, "the SharedArray has been freed");
    return this.#view;
  }

  get length(): number {
    return this.#view.length;
  }

  /** `comm.barrier()`: every rank's writes before it are visible to every rank after it. */
  barrier(): Promise<void> {
    return this.#comm.barrier();
  }

  /**
   * This rank's even share of the indices, `{ start, stop }` (stop exclusive): contiguous blocks,
   * the first `length % size` ranks one index more; empty on the last ranks when length < size.
   */
  localRange(): IndexRange {
    return blockRange(this.#view.length, this.#comm.size, this.#comm.rank);
  }

  /**
   * Collective: waits for every rank (a barrier), then unmaps this rank's view. The segment's name
   * was removed by create(), so the memory is gone once every rank has freed it or exited. Using
   * `array` afterwards throws ERR_STATE; a view kept from before must not be touched (it is unmapped).
   */
  async free(): Promise<void> {
    if (this.#freed) return;
    await this.#comm.barrier();
    this.#freed = true;
    detachSegment(await shmModule(), this.#name);
  }
}

function segmentName(): string {
  const job = runtimeState()?.jobId || "solo";
  const random = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0");
  return `/${sharedSegmentPrefix(job, hostIdentity())}${process.pid}-${created++}-${random}`;
}

function describe(kind: unknown): string {
  return typeof kind === "function" ? kind.name || "a function" : String(kind);
}

/** The error every rank throws, or `undefined` when the segment can be shared. */
function refuse(shapes: Shape[], rank: number, size: number, call: string): TsmpiError | undefined {
  const problems = shapes.flatMap((shape, r) => (shape.problem === undefined ? [] : [`rank ${r}: ${shape.problem}`]));
  if (problems.length > 0) return invalidArguments({ rank, call }, problems.join("; "));

  const hosts = new Map<string, number[]>();
  shapes.forEach((shape, r) => hosts.set(shape.host, [...(hosts.get(shape.host) ?? []), r]));
  if (hosts.size > 1) {
    const where = [...hosts].map(([host, ranks]) => `${ranks.length === 1 ? "rank" : "ranks"} ${ranks.join(", ")} on ${host}`);
    return wrongCommunicator(
      { rank, call },
      `shared memory needs every rank of the communicator on one host (size ${size}): ${where.join("; ")}; ` +
        "use comm.split by host, or a distributed array",
    );
  }

  const first = shapes[0]!;
  const odd = shapes.findIndex((shape) => shape.kind !== first.kind || shape.length !== first.length);
  if (odd >= 0) {
    const other = shapes[odd]!;
    return collectiveMismatch(
      { rank, call },
      `ranks disagree: rank 0 asked for ${first.kind}(${first.length}), rank ${odd} for ${other.kind}(${other.length})`,
    );
  }
  if (first.createError !== undefined || first.name === undefined) {
    return notUsable({ rank, call }, `rank 0 could not create the shared memory segment: ${first.createError ?? "no name"}`);
  }
  return undefined;
}
