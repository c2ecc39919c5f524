/**
 * tsmpi side of bench/collectives: `world.allreduce(Float64Array, Op.SUM)`, `world.bcast(..., 0)`
 * (twice: non-roots passing a same-size Float64Array, the MPI_Bcast shape that allows a large-message
 * algorithm, as "tsmpi"; and non-roots passing nothing, the object path, as "tsmpi-obj") and
 * `world.barrier()`, with the iteration scheme of plan.ts. Rank 0 prints one JSON `ResultLine` per case.
 * A call the runtime does not have yet (bcast, while it is being written) gives a line with `skipped`.
 * Started by run.ts through `launch()`; by hand:
 *   node packages/launcher/bin/tsmpirun.js -n 4 bench/collectives/tsmpi-collectives.ts \
 *     --cases=allreduce:1:10:100,bcast:131072:2:10,barrier:0:10:100 --reps=5 [--pin=spread]
 */
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { init, Op, type Comm } from "@tsmpi/runtime";
import { contribution, decodeCases, expectedSum, pattern, pinnedCpu, type Impl, type PinMode, type PlannedCase, type ResultLine } from "./plan.ts";

const argv = process.argv.slice(2);
const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const casesArg = value("cases");
if (casesArg === undefined) throw new Error("usage: tsmpi-collectives.ts --cases=op:count:warmup:iterations,... [--reps=N] [--pin=none|spread|same]");
const cases = decodeCases(casesArg);
const reps = Number(value("reps") ?? 5);
const pin = (value("pin") ?? "none") as PinMode;

const world = await init();
const { rank, size } = world;
const cpu = pinnedCpu(pin, rank, availableParallelism());
// Every thread (libuv, V8, ZeroMQ I/O), as bench/pingpong does.
if (cpu !== undefined) execFileSync("taskset", ["-a", "-c", "-p", String(cpu), String(process.pid)], { stdio: "ignore" });

/** `bcast` is being written while this bench is; its shape is issue 3's `comm.bcast(data, root)`. */
type Bcast = (data: unknown, root: number) => Promise<unknown>;
const bcastOf = (comm: Comm): Bcast | undefined => {
  const fn = (comm as unknown as { bcast?: unknown }).bcast;
  return typeof fn === "function" ? (fn.bind(comm) as Bcast) : undefined;
};

interface Measured {
  call: () => Promise<unknown>;
  /** One more call on fresh buffers; true if its result is right. */
  check: () => Promise<boolean>;
}

const filled = (count: number, f: (i: number) => number): Float64Array => {
  const a = new Float64Array(count);
  for (let i = 0; i < count; i++) a[i] = f(i);
  return a;
};
const equals = (got: unknown, count: number, f: (i: number) => number): boolean => {
  if (!(got instanceof Float64Array) || got.length !== count) return false;
  for (let i = 0; i < count; i++) if (got[i] !== f(i)) return false;
  return true;
};

function measured(impl: Impl, c: PlannedCase): Measured | string {
  if (c.op === "allreduce") {
    const send = filled(c.count, (i) => contribution(rank, i));
    const call = (): Promise<unknown> => world.allreduce(send, Op.SUM);
    return { call, check: async () => equals(await call(), c.count, (i) => expectedSum(size, i)) };
  }
  if (c.op === "barrier") return { call: () => world.barrier(), check: async () => (await world.barrier(), true) };
  const bcast = bcastOf(world);
  if (bcast === undefined) return "world.bcast is not a function in this runtime yet";
  const root = filled(c.count, pattern);
  if (impl === "tsmpi-obj") {
    const call = (): Promise<unknown> => bcast(rank === 0 ? root : undefined, 0);
    return { call, check: async () => equals(await call(), c.count, pattern) };
  }
  const buffer = rank === 0 ? root : new Float64Array(c.count);
  const call = (): Promise<unknown> => bcast(buffer, 0);
  return {
    call,
    check: async () => {
      if (rank !== 0) buffer.fill(0);
      const got = await call();
      // The result is the return value; a runtime that fills the given buffer instead passes too.
      return equals(got, c.count, pattern) || (got === undefined && equals(buffer, c.count, pattern));
    },
  };
}

async function runCase(impl: Impl, c: PlannedCase): Promise<void> {
  const m = measured(impl, c);
  const base = { impl, op: c.op, count: c.count, np: size, warmup: c.warmup, iterations: c.iterations, pinned: cpu === undefined ? "none" : pin };
  if (typeof m === "string") {
    if (rank === 0) {
      const line: ResultLine = { ...base, median_us: Number.NaN, min_us: Number.NaN, max_us: Number.NaN, samples_us: [], check: "ok", skipped: m };
      process.stdout.write(`${JSON.stringify(line)}\n`);
      process.stderr.write(`  ${impl} n=${size} ${c.op} ${c.count}: skipped (${m})\n`);
    }
    return;
  }
  for (let w = 0; w < c.warmup; w++) await m.call();
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    await world.barrier();
    const t0 = performance.now();
    for (let i = 0; i < c.iterations; i++) await m.call();
    const perCallUs = ((performance.now() - t0) * 1000) / c.iterations;
    samples.push(await world.allreduce(perCallUs, Op.MAX));
  }
  const ok = await world.allreduce(await m.check(), Op.LAND);
  if (rank === 0) {
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const round = (x: number): number => Math.round(x * 1000) / 1000;
    const line: ResultLine = {
      ...base,
      median_us: round(median),
      min_us: round(sorted[0]!),
      max_us: round(sorted.at(-1)!),
      samples_us: samples.map(round),
      check: ok ? "ok" : "FAILED",
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    process.stderr.write(`  ${impl} n=${size} ${c.op} ${c.count}: ${median.toFixed(1)} us${ok ? "" : " CHECK FAILED"}\n`);
  }
}

for (const c of cases) {
  // Buffer bcast, then the object path, back to back.
  for (const impl of c.op === "bcast" ? (["tsmpi", "tsmpi-obj"] as const) : (["tsmpi"] as const)) await runCase(impl, c);
}
