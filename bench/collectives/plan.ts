/**
 * What every collectives program (tsmpi, Open MPI C, mpi4py) measures and how often: run.ts computes
 * one plan per rank count and hands the very same plan to each program as arguments
 * (`--cases=op:count:warmup:iterations,... --reps=R --pin=MODE`), so that their figures can be put
 * side by side. The programs share the scheme, in their own language:
 *
 *   per case: `warmup` calls; then `reps` samples, each = barrier, `iterations` timed calls,
 *   mean time per call on each rank, maximum over ranks (as IMB's t_max); then one more call on fresh
 *   buffers, checked against the closed form. Rank 0 prints one `ResultLine` per case and API.
 *
 * Data: allreduce SUM of float64 x[i] = rank + 1 + (i & 7) (integers: the sum is exact in any order
 * and equals n(n+1)/2 + n(i & 7)); bcast from rank 0 of x[i] = (i mod 251) + 0.5.
 */
export type CollectiveOp = "allreduce" | "bcast" | "barrier";

export interface PlannedCase {
  op: CollectiveOp;
  /** float64 elements (0 for barrier). */
  count: number;
  warmup: number;
  iterations: number;
}

/** Which implementation and API a line is from. */
export type Impl =
  | "tsmpi" // world.allreduce(Float64Array), world.bcast(buf, 0) with a same-size buffer on every rank, world.barrier()
  | "tsmpi-obj" // world.bcast(data, 0) with non-roots passing nothing (the object path)
  | "ompi-c" // MPI_Allreduce / MPI_Bcast / MPI_Barrier
  | "mpi4py" // lowercase, pickled: comm.allreduce(np_array), comm.bcast(obj), comm.barrier()
  | "mpi4py-buf"; // uppercase, buffers: comm.Allreduce, comm.Bcast, comm.Barrier

/** One JSON line on a program's stdout. */
export interface ResultLine {
  impl: Impl;
  op: CollectiveOp;
  count: number;
  np: number;
  warmup: number;
  iterations: number;
  pinned: string;
  median_us: number;
  min_us: number;
  max_us: number;
  samples_us: number[];
  check: "ok" | "FAILED";
  /** Set instead of timings when the implementation lacks the call (e.g. tsmpi before bcast exists). */
  skipped?: string;
}

const KiB = 1024;
export const MiB_F64 = 131072; // 1 MiB of float64

/** The cases of issue 3's benchmark: allreduce of 1, 1024, 131072 float64, bcast of 1 MiB, barrier. */
export const CASES: ReadonlyArray<{ op: CollectiveOp; count: number }> = [
  { op: "allreduce", count: 1 },
  { op: "allreduce", count: KiB },
  { op: "allreduce", count: MiB_F64 },
  { op: "bcast", count: MiB_F64 },
  { op: "barrier", count: 0 },
];

export const FULL_NPS = [2, 4, 8, 16];
export const QUICK_NPS = [2, 4];

/**
 * Calls per sample. Fewer at large n: every call then wakes 16 processes on 2 cores, and a 1 MiB call
 * at n = 16 takes tens of milliseconds for the pickled reference.
 */
export function planFor(np: number, quick: boolean): PlannedCase[] {
  return CASES.map(({ op, count }) => {
    const large = count * 8 >= 64 * KiB;
    let iterations = large ? (np <= 4 ? 20 : np <= 8 ? 10 : 6) : np <= 4 ? 200 : np <= 8 ? 100 : 50;
    if (quick) iterations = Math.max(3, Math.round(iterations / 4));
    // Warm-up as the OSU micro-benchmarks (10 calls for large messages, more for small ones): the
    // first calls of a process pay one-time costs (page faults of fresh buffers, JIT, connections)
    // that a long-running job does not see. Every implementation gets the same plan.
    const warmup = quick ? Math.max(2, Math.round(iterations / 10)) : large ? 10 : Math.max(10, Math.round(iterations / 10));
    return { op, count, warmup, iterations };
  });
}

export const encodeCases = (cases: readonly PlannedCase[]): string =>
  cases.map((c) => `${c.op}:${c.count}:${c.warmup}:${c.iterations}`).join(",");

export function decodeCases(text: string): PlannedCase[] {
  return text.split(",").map((token) => {
    const [op, count, warmup, iterations] = token.split(":");
    if (op !== "allreduce" && op !== "bcast" && op !== "barrier") throw new Error(`bad case ${token}: op must be allreduce, bcast or barrier`);
    const c = { op, count: Number(count), warmup: Number(warmup), iterations: Number(iterations) } as PlannedCase;
    if (![c.count, c.warmup, c.iterations].every(Number.isInteger) || c.iterations < 1) throw new Error(`bad case ${token}`);
    return c;
  });
}

/** `--pin`: none (the scheduler places ranks), spread (rank r on cpu r mod nproc), same (all on cpu 0). */
export type PinMode = "none" | "spread" | "same";

export function pinnedCpu(mode: PinMode, rank: number, cpus: number): number | undefined {
  return mode === "none" ? undefined : mode === "same" ? 0 : rank % cpus;
}

export function caseLabel(op: CollectiveOp, count: number): string {
  if (op === "barrier") return "barrier";
  const size = count === MiB_F64 ? "1 MiB" : `${count} f64`;
  return `${op} ${count === MiB_F64 ? `${count} f64 (${size})` : size}`;
}

export const contribution = (rank: number, i: number): number => rank + 1 + (i & 7);
export const expectedSum = (np: number, i: number): number => (np * (np + 1)) / 2 + np * (i & 7);
export const pattern = (i: number): number => (i % 251) + 0.5;
