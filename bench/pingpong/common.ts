/**
 * What both ping-pong programs share: the payload sizes, how many iterations each gets, the
 * statistics, the command-line options, and self-pinning. Both sides run the very same plan so that
 * their numbers can be put side by side.
 */
import { execFileSync } from "node:child_process";
import { median } from "../lib/stats.ts";

/** A payload: a Float64Array of `bytes` bytes, or the small object every MPI user sends first. */
export interface Case {
  label: string;
  /** Bytes of the Float64Array; 0 for the object case. */
  bytes: number;
}

export const OBJECT_LABEL = "object";
export const makeObject = (i: number): { step: number; value: number; name: string } => ({ step: i, value: 1.5, name: "x" });

const KiB = 1024;
const MiB = 1024 * KiB;
export const FULL_SIZES = [8, 64, 512, 4 * KiB, 32 * KiB, 256 * KiB, 1 * MiB, 4 * MiB];
export const QUICK_SIZES = [8, 4 * KiB, 1 * MiB];

export function sizeLabel(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}

export interface Options {
  quick: boolean;
  sizes: number[];
  /** Repetitions of each measurement inside one process (each gives one sample). */
  reps: number;
  /** `"0,1"`: rank/side 0 on cpu 0 and side 1 on cpu 1; `"0,0"`: both on cpu 0; undefined: unpinned. */
  pin: number[] | undefined;
  /** Run only one of the two measurements (for profiling). */
  only: "latency" | "bandwidth" | undefined;
  /** Include the small-object case (`--no-object` leaves it out). */
  objectCase: boolean;
}

export function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes("--quick");
  const value = (name: string): string | undefined => {
    const found = argv.find((a) => a.startsWith(`--${name}=`));
    return found?.slice(name.length + 3);
  };
  const sizes = value("sizes")?.split(",").map(Number) ?? (quick ? QUICK_SIZES : FULL_SIZES);
  const reps = Number(value("reps") ?? (quick ? 3 : 5));
  const pin = value("pin")?.split(",").map(Number);
  const only = value("only");
  if (only !== undefined && only !== "latency" && only !== "bandwidth") throw new Error(`--only must be latency or bandwidth, got ${only}`);
  const objectCase = !argv.includes("--no-object");
  return { quick, sizes, reps, pin, only, objectCase };
}

export function cases(options: Options): Case[] {
  const arrays = options.sizes.map((bytes) => ({ label: sizeLabel(bytes), bytes }));
  return options.objectCase ? [...arrays, { label: OBJECT_LABEL, bytes: 0 }] : arrays;
}

/** Round trips per latency sample, and warm-up round trips before the first sample. */
export function latencyPlan(c: Case, quick: boolean): { iterations: number; warmup: number } {
  const scale = quick ? 0.4 : 1;
  const bytes = c.bytes;
  const iterations = bytes <= 4 * KiB ? 200 : bytes <= 256 * KiB ? 100 : bytes <= MiB ? 40 : 15;
  return { iterations: Math.max(5, Math.round(iterations * scale)), warmup: Math.max(5, Math.round(iterations * scale * 0.5)) };
}

/** Messages per streaming window (one ack per window), and windows per sample. */
export function streamPlan(c: Case, quick: boolean): { window: number; windows: number; warmupWindows: number } {
  const bytes = Math.max(c.bytes, 8);
  // About 32 MiB per window for large messages, 256 messages for small ones.
  const window = Math.min(256, Math.max(8, Math.floor((32 * MiB) / bytes)));
  const windows = bytes >= MiB ? 2 : bytes >= 32 * KiB ? 4 : 8;
  return { window, windows: quick ? Math.max(1, windows / 2) : windows, warmupWindows: 1 };
}

export { median };

/** One process's result for one case: every sample, so that the runner can pool processes. */
export interface CaseResult {
  label: string;
  bytes: number;
  /** Half round-trip latency samples (us): each is the median of one repetition's round trips. */
  latencyUs: number[];
  /** Streaming bandwidth samples (MB/s = 1e6 bytes/s), one per repetition; object: messages/s. */
  bandwidth: number[];
  /** Payload bytes on the wire for the object case (its encoded size); else `bytes`. */
  wireBytes: number;
}

export interface ProgramResult {
  /**
   * ompi-c: bench/reference/pingpong.c (typed payloads only); mpi4py-buf and mpi4py:
   * bench/reference/pingpong.py, uppercase numpy buffers (typed payloads only) and lowercase pickle.
   */
  impl: "tsmpi" | "zmq" | "ompi-c" | "mpi4py-buf" | "mpi4py";
  pid: number;
  pinned: string;
  node: string;
  cases: CaseResult[];
}

/** Pins every thread of this process (libuv, V8 and ZeroMQ I/O threads included) to one cpu. */
export function pinSelf(cpu: number | undefined): string {
  if (cpu === undefined) return "unpinned";
  execFileSync("taskset", ["-a", "-c", "-p", String(cpu), String(process.pid)], { stdio: "ignore" });
  return `cpu ${cpu}`;
}

/** Half round trip in microseconds from a bigint nanosecond duration of one round trip. */
export const halfRttUs = (ns: bigint): number => Number(ns) / 2000;

/** One progress line: the medians of whatever was measured. */
export function describe(latencyUs: readonly number[], bandwidth: readonly number[], bytes: number): string {
  const parts: string[] = [];
  if (latencyUs.length > 0) parts.push(`${median(latencyUs).toFixed(1)} us`);
  if (bandwidth.length > 0) parts.push(`${median(bandwidth).toFixed(0)} ${bytes === 0 ? "kmsg/s" : "MB/s"}`);
  return parts.join(", ");
}

export function progress(message: string): void {
  if (process.env.BENCH_QUIET !== "1") process.stderr.write(`${message}\n`);
}
