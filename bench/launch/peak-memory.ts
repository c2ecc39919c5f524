/**
 * Peak memory per rank and wire-up at scale, as functions: runs `tsmpirun` jobs with every rank
 * preloading hwm-hook.mjs (its VmHWM and CPU time at exit) and the launcher under /usr/bin/time (its
 * max RSS), TSMPIRUN_TRACE=1 for the wire-up phases. Used by bench/launch/memory.ts (the command
 * line) and bench/launch/part.ts (part "launch" of `pnpm bench`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadNow, progress } from "../lib/machine.ts";
import { runProcess } from "../lib/run-process.ts";
import { fmt, median, spread } from "../lib/stats.ts";

const here = dirname(fileURLToPath(import.meta.url));

export interface MemoryCase {
  group: string;
  label: string;
  np: number;
  program: string;
  args: string[];
}

export const helloCase = (np: number): MemoryCase => ({ group: "hello", label: "hello", np, program: "programs/hello.ts", args: [] });
export const manyCase = (np: number): MemoryCase => ({ group: "many", label: "barrier + allreduce", np, program: "test/fixtures/launch-many.ts", args: [] });
export const heatCase = (np: number, steps = 20): MemoryCase => ({
  group: "heat",
  label: `heat 2048x2048, ${steps} steps`,
  np,
  program: "programs/heat.ts",
  args: ["--nx", "2048", "--ny", "2048", "--steps", String(steps)],
});

/** memory.ts's cases: hello at np 1/16/32/64, launch-many at np 16/32/64, heat 2048x2048 at np 4/16. */
export const ALL_CASES: readonly MemoryCase[] = [...[1, 16, 32, 64].map(helloCase), ...[16, 32, 64].map((np) => manyCase(np)), ...[4, 16].map((np) => heatCase(np))];

export interface RankMemory {
  rank: number;
  hwmKiB: number;
  cpuMs: number;
}

export interface MemorySample {
  seconds: number;
  load: string;
  /** NaN when /usr/bin/time is missing. */
  launcherKiB: number;
  ranks: RankMemory[];
  wireupMs: number | undefined;
}

export interface MemoryResult {
  cases: MemoryCase[];
  /** Same order as `cases`. */
  samples: MemorySample[][];
  seconds: number;
}

export async function measureMemory(options: { root: string; cases: readonly MemoryCase[]; reps: number; timeoutSeconds?: number }): Promise<MemoryResult> {
  const tsmpirun = join(options.root, "packages/launcher/bin/tsmpirun.js");
  const hook = pathToFileURL(join(here, "hwm-hook.mjs")).href;
  const withTime = existsSync("/usr/bin/time");
  const samples: MemorySample[][] = options.cases.map(() => []);
  const started = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), "tsmpi-bench-mem-"));
  try {
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const [index, c] of options.cases.entries()) {
        const file = join(scratch, `hwm-${rep}-${c.label.replace(/\W+/g, "_")}-${c.np}.jsonl`);
        const load = loadNow();
        const job = [tsmpirun, "-n", String(c.np), "-x", `NODE_OPTIONS=--import=${hook}`, "-x", `TSMPI_BENCH_HWM_FILE=${file}`, c.program, ...c.args];
        const [command, args] = withTime ? ["/usr/bin/time", ["-f", "launcher-maxrss-kib %M", process.execPath, ...job]] : [process.execPath, job];
        const run = await runProcess(command, args, {
          cwd: options.root,
          env: { ...process.env, TSMPIRUN_TRACE: "1" },
          timeoutSeconds: options.timeoutSeconds ?? 300,
          forwardStderr: false,
        });
        if (run.code !== 0) throw new Error(`${c.label} -n ${c.np} failed (${run.timedOut ? "timed out" : `exit ${run.code ?? run.signal}`}):\n${run.stderr.slice(-2000)}`);
        const ranks = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as RankMemory);
        if (ranks.length !== c.np) throw new Error(`${c.label} -n ${c.np}: ${ranks.length} ranks reported memory`);
        const trace = (phase: string): number | undefined => {
          const match = new RegExp(`^tsmpirun: trace \\+([\\d.]+) ${phase}`, "m").exec(run.stderr);
          return match ? Number(match[1]) : undefined;
        };
        const spawned = trace("spawned");
        const fence = trace("fence 1 complete");
        samples[index]!.push({
          seconds: run.seconds,
          load,
          launcherKiB: Number(/launcher-maxrss-kib (\d+)/.exec(run.stderr)?.[1] ?? Number.NaN),
          ranks,
          wireupMs: spawned !== undefined && fence !== undefined ? fence - spawned : undefined,
        });
        progress(`rep ${rep}/${options.reps} ${c.label} -n ${c.np}: ${run.seconds.toFixed(2)} s, ranks' VmHWM sum ${(sumKiB(ranks) / 1024).toFixed(0)} MiB (load ${load})`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { cases: [...options.cases], samples, seconds: (performance.now() - started) / 1000 };
}

const sumKiB = (ranks: readonly RankMemory[]): number => ranks.reduce((total, r) => total + r.hwmKiB, 0);
const MiB = (kib: number): number => kib / 1024;

/** Each sample's sum of the ranks' VmHWM, in MiB. */
export const sumsMiB = (samples: readonly MemorySample[]): number[] => samples.map((s) => MiB(sumKiB(s.ranks)));

export function memoryTable(result: MemoryResult): string {
  const rows = [
    "| program | np | start to exit (s) | spawned → fence (ms) | VmHWM per rank, median (MiB) | max rank (MiB) | sum of ranks (MiB) | launcher max RSS (MiB) | CPU per rank, median (ms) | load at start |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const [index, c] of result.cases.entries()) {
    const samples = result.samples[index]!;
    const perRank = samples.flatMap((s) => s.ranks.map((r) => MiB(r.hwmKiB)));
    const wireup = samples.map((s) => s.wireupMs).filter((v): v is number => v !== undefined);
    rows.push(
      `| ${c.label} | ${c.np} | ${spread(samples.map((s) => s.seconds))} | ${spread(wireup)} | ${fmt(median(perRank))} | ${perRank.length === 0 ? "–" : fmt(Math.max(...perRank))} | ${spread(sumsMiB(samples))} | ${fmt(median(samples.map((s) => MiB(s.launcherKiB))))} | ${fmt(median(samples.flatMap((s) => s.ranks.map((r) => r.cpuMs))))} | ${samples.map((s) => s.load.split(" ")[0]).join(", ")} |`,
    );
  }
  return rows.join("\n");
}

export const MEMORY_METHOD =
  "VmHWM: each rank's peak resident set, read from /proc/self/status at exit by bench/launch/hwm-hook.mjs (preloaded with `-x NODE_OPTIONS=--import=...`); shared pages (node's text, zeromq's library) count once per rank, so the sum overstates what the ranks take together";
