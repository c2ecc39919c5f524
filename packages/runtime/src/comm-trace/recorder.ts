/**
 * This process's communication trace (`tsmpirun --trace FILE`): the calls' slices and the
 * user-level messages, kept in memory until the rank leaves the job (lifecycle/join-launcher.ts
 * sends them to the launcher). Off unless TSMPI_TRACE is set; every call site checks the constant
 * {@link tracing} first, so that a job without a trace pays one boolean test per call and nothing
 * else (no clock reads, no allocations).
 * Internal to the runtime, not part of its API.
 */
import { performance } from "node:perf_hooks";
import { commTraceEpochMs } from "../env.ts";
import type { RankCommTrace, TraceRecord } from "./records.ts";

const epochMs = commTraceEpochMs();

/** Whether this process records a trace: fixed for its lifetime, read once at load. */
export const tracing: boolean = epochMs !== undefined;

/**
 * Records kept at most (about 100 bytes each once encoded): a runaway loop must not take the
 * rank's memory, nor make a message the launcher cannot take in. The rest are counted.
 */
const MAX_RECORDS = 1_000_000;

/** Ticks of Date.now() caught at most, and a catch narrow enough to stop at, in ms. */
const TICKS_SAMPLED = 5;
const GOOD_CATCH_MS = 0.05;

/**
 * From this process's monotonic clock to microseconds since the launcher's epoch: small numbers,
 * so a double keeps sub-microsecond steps (absolute epoch microseconds would round to 0.25 us).
 * Ranks of other hosts are as aligned as the hosts' clocks are.
 */
const offsetUs = epochMs === undefined ? 0 : (wallClockAtMonotonicZeroMs() - epochMs) * 1000;

/**
 * The wall-clock time at which performance.now() was 0, read now rather than taken from
 * performance.timeOrigin: Node reads the two clocks separately at startup, and a preemption
 * between those reads shifts timeOrigin by milliseconds. Sampling at the instant Date.now() ticks
 * to its next millisecond pins the wall clock to the monotonic one, within the time between the
 * last look that saw the old millisecond and the look that saw the new one. A preemption there
 * (a loaded machine) widens that to milliseconds, so the tick is caught a few times and the
 * narrowest catch wins; it costs a few milliseconds, once, and only in a traced job.
 */
function wallClockAtMonotonicZeroMs(): number {
  let best = { width: Infinity, offsetMs: Date.now() - performance.now() };
  for (let attempt = 0; attempt < TICKS_SAMPLED && best.width > GOOD_CATCH_MS; attempt++) {
    const before = Date.now();
    let lastOld = performance.now();
    let wall = before;
    let lookedAt = lastOld;
    while (wall === before) {
      lastOld = lookedAt;
      lookedAt = performance.now();
      wall = Date.now();
    }
    const width = performance.now() - lastOld;
    // A look that skipped a millisecond was preempted: its tick is not the one it saw.
    if (wall === before + 1 && width < best.width) best = { width, offsetMs: wall - lookedAt };
  }
  return best.offsetMs;
}

const records: TraceRecord[] = [];
let dropped = 0;

/** Now, in the trace's time base (microseconds since the job's start). */
export function traceNow(): number {
  return performance.now() * 1000 + offsetUs;
}

function push(record: TraceRecord): void {
  if (records.length < MAX_RECORDS) records.push(record);
  else dropped++;
}

/**
 * A call from `startUs` to now. `args` may still be filled in after this (a nonblocking call's
 * completion): records leave the process only at its end.
 */
export function recordSlice(name: string, startUs: number, args: Record<string, string | number | boolean>, endUs = traceNow()): void {
  push({ kind: "slice", name, startUs, endUs, args });
}

/** A call from now until `settled` settles (either way). */
export function recordSliceUntil(settled: Promise<unknown>, name: string, args: Record<string, string | number | boolean>): void {
  const startUs = traceNow();
  const done = (): void => recordSlice(name, startUs, args);
  settled.then(done, done);
}

/** A user-level message handed to the transport, to world rank `to`. */
export function recordSend(to: number, context: number, tag: number, bytes: number): void {
  push({ kind: "send", atUs: traceNow(), to, context, tag, bytes });
}

/** A user-level message from world rank `from` taken by a receive. */
export function recordReceive(from: number, context: number, tag: number, bytes: number): void {
  push({ kind: "receive", atUs: traceNow(), from, context, tag, bytes });
}

/** Everything recorded so far, for the launcher; the buffer starts over. */
export function takeTrace(): RankCommTrace {
  const taken = { records: records.splice(0), dropped };
  dropped = 0;
  return taken;
}
