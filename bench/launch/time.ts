/**
 * Launch time, as functions: `tsmpirun -n N programs/hello.ts` start to exit beside
 * `mpirun -n N python3 hello.py` (mpi4py), interleaved (tsmpirun, mpirun, tsmpirun, ...: this shared
 * machine drifts), each cell the median of the repetitions with min–max; the load average is
 * recorded with every sample. With TSMPIRUN_TRACE=1 the launcher prints its phases, so tsmpirun's
 * time also splits into: launcher loaded, bundle ready, ranks spawned, fence, exit.
 * Used by bench/launch/run.ts (the command line) and bench/launch/part.ts (part "launch" of pnpm bench).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadNow, progress } from "../lib/machine.ts";
import { runProcess } from "../lib/run-process.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";

export const TSMPIRUN_LABEL = "tsmpirun";
export const MPIRUN_LABEL = "mpirun + mpi4py";

export interface LaunchTimeOptions {
  root: string;
  nps: readonly number[];
  reps: number;
  /** Add the `mpirun -n N /usr/bin/python3 hello.py` column (see `mpirunAvailable`). */
  mpirun: boolean;
  /** Add a `TSMPIRUN_CACHE=0` column. */
  noCache?: boolean;
  /** Add a `TSMPI_SHM=0` column (the same-host queues off: what shared memory costs a launch). */
  noShm?: boolean;
  /** Path of an older bin/tsmpirun.js: adds a "tsmpirun baseline" column. */
  baseline?: string;
  /** Per run; default 120 s. */
  timeoutSeconds?: number;
  /**
   * A failed reference (mpirun) run becomes a note and its sample is left out, instead of an error.
   * A failed tsmpirun run always throws.
   */
  tolerateReferenceFailures?: boolean;
  /** Run every column once at the smallest N first, not recorded (fills tsmpirun's bundle caches, warms the page cache). */
  warmup?: boolean;
}

export interface LaunchSample {
  seconds: number;
  /** 1-minute load average when the sample started. */
  load: number;
  /** TSMPIRUN_TRACE phases, ms since the launcher process started (tsmpirun only). */
  phases: Record<string, number>;
}

export interface LaunchTimeResult {
  nps: number[];
  reps: number;
  /** Column labels in order; the mpirun one, when present, is MPIRUN_LABEL. */
  variants: string[];
  /** samples[label][np] */
  samples: Record<string, Record<number, LaunchSample[]>>;
  notes: string[];
  seconds: number;
}

interface Variant {
  label: string;
  reference: boolean;
  command: (np: number) => { command: string; args: string[]; env?: NodeJS.ProcessEnv };
}

/** Whether `mpirun` is on PATH and Debian's /usr/bin/python3 imports mpi4py. */
export async function mpirunAvailable(root: string): Promise<boolean> {
  const run = await runProcess("sh", ["-c", "command -v mpirun && /usr/bin/python3 -c 'import mpi4py'"], { cwd: root, timeoutSeconds: 30, forwardStderr: false });
  return run.code === 0;
}

/** hello.py for mpi4py, written to the temporary directory; returns its path. */
function writeHelloPy(): string {
  const helloPy = join(tmpdir(), "tsmpi-bench-hello.py");
  writeFileSync(helloPy, 'from mpi4py import MPI\nc = MPI.COMM_WORLD\nprint(f"hello from rank {c.Get_rank()} of {c.Get_size()}", flush=True)\n');
  return helloPy;
}

function variantsOf(options: LaunchTimeOptions): Variant[] {
  const tsmpirun = join(options.root, "packages/launcher/bin/tsmpirun.js");
  const variants: Variant[] = [
    {
      label: TSMPIRUN_LABEL,
      reference: false,
      command: (np) => ({ command: process.execPath, args: [tsmpirun, "-n", String(np), "programs/hello.ts"], env: { ...process.env, TSMPIRUN_TRACE: "1" } }),
    },
  ];
  if (options.noCache === true) {
    variants.push({
      label: "tsmpirun, TSMPIRUN_CACHE=0",
      reference: false,
      command: (np) => ({ command: process.execPath, args: [tsmpirun, "-n", String(np), "programs/hello.ts"], env: { ...process.env, TSMPIRUN_CACHE: "0" } }),
    });
  }
  if (options.noShm === true) {
    variants.push({
      label: "tsmpirun, TSMPI_SHM=0",
      reference: false,
      command: (np) => ({ command: process.execPath, args: [tsmpirun, "-n", String(np), "programs/hello.ts"], env: { ...process.env, TSMPI_SHM: "0" } }),
    });
  }
  if (options.baseline !== undefined) {
    const baseline = resolve(options.baseline);
    variants.push({
      label: "tsmpirun baseline",
      reference: false,
      command: (np) => ({ command: process.execPath, args: [baseline, "-n", String(np), "programs/hello.ts"] }),
    });
  }
  if (options.mpirun) {
    const helloPy = writeHelloPy();
    const asRoot = process.getuid?.() === 0 ? ["--allow-run-as-root"] : [];
    variants.push({
      label: MPIRUN_LABEL,
      reference: true,
      command: (np) => ({ command: "mpirun", args: [...asRoot, "--oversubscribe", "-n", String(np), "/usr/bin/python3", helloPy] }),
    });
  }
  return variants;
}

/** `tsmpirun: trace +123.4 phase` lines -> { phase: ms }, phases named without rank numbers. */
export function phasesOf(stderr: string): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const match of stderr.matchAll(/^tsmpirun: trace \+([\d.]+) (.+)$/gm)) {
    const phase = match[2]!.startsWith("rank ") ? (match[2]!.includes("(1 of") ? "first hello" : "last hello") : match[2]!.replace(/^bundle: .*/, "bundle ready");
    phases[phase] = Number(match[1]);
  }
  return phases;
}

export async function measureLaunchTime(options: LaunchTimeOptions): Promise<LaunchTimeResult> {
  const variants = variantsOf(options);
  const samples: LaunchTimeResult["samples"] = {};
  for (const v of variants) samples[v.label] = Object.fromEntries(options.nps.map((np) => [np, [] as LaunchSample[]]));
  const notes: string[] = [];
  const started = performance.now();
  if (options.warmup === true && options.nps.length > 0) {
    const np = Math.min(...options.nps);
    for (const variant of variants) {
      const { command, args, env } = variant.command(np);
      const run = await runProcess(command, args, { cwd: options.root, env, timeoutSeconds: options.timeoutSeconds ?? 120, forwardStderr: false });
      progress(`warm-up ${variant.label} -n ${np}: ${run.seconds.toFixed(2)} s${run.code === 0 ? "" : ` (exit ${run.code ?? run.signal})`}`);
    }
  }
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const np of options.nps) {
      for (const variant of variants) {
        const { command, args, env } = variant.command(np);
        const load = Number(loadNow().split(" ")[0]);
        const run = await runProcess(command, args, { cwd: options.root, env, timeoutSeconds: options.timeoutSeconds ?? 120, forwardStderr: false });
        // Occurrences, not lines: mpirun's output forwarding sometimes joins two ranks' lines.
        const lines = run.stdout.match(/hello from rank/g)?.length ?? 0;
        if (run.code !== 0 || lines !== np) {
          const what = `${variant.label} -n ${np} failed (${run.timedOut ? "timed out" : `exit ${run.code ?? run.signal}`}, ${lines} hello lines)`;
          if (variant.reference && options.tolerateReferenceFailures === true) {
            notes.push(`rep ${rep}: ${what}: ${run.stderr.trim().split("\n").slice(-1)[0]?.slice(0, 200) ?? ""}`);
            progress(`rep ${rep}/${options.reps} ${what}`);
            continue;
          }
          throw new Error(`${what}:\n${run.stderr.slice(-2000)}`);
        }
        samples[variant.label]![np]!.push({ seconds: run.seconds, load, phases: phasesOf(run.stderr) });
        progress(`rep ${rep}/${options.reps} ${variant.label} -n ${np}: ${run.seconds.toFixed(2)} s (load ${load.toFixed(2)})`);
      }
    }
  }
  return { nps: [...options.nps], reps: options.reps, variants: variants.map((v) => v.label), samples, notes, seconds: (performance.now() - started) / 1000 };
}

/** Start-to-exit seconds of one cell (empty when not run or every run failed). */
export const secondsOf = (result: LaunchTimeResult, label: string, np: number): number[] => (result.samples[label]?.[np] ?? []).map((s) => s.seconds);

/** Median start-to-exit seconds of one cell, NaN when there is none. */
export const medianSeconds = (result: LaunchTimeResult, label: string, np: number): number => {
  const values = secondsOf(result, label, np);
  return values.length === 0 ? Number.NaN : median(values);
};

/** | N | each variant (s) | each tsmpirun variant / mpirun | load min–max | */
export function launchTimeTable(result: LaunchTimeResult): string {
  const reference = result.variants.find((v) => v === MPIRUN_LABEL);
  const others = result.variants.filter((v) => v !== reference);
  const header = ["N", ...result.variants.map((v) => `${v} (s)`), ...(reference ? others.map((v) => `${v} / mpirun`) : []), "load (1 min) min–max"];
  const rows = [`| ${header.join(" | ")} |`, `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
  for (const np of result.nps) {
    const cells = result.variants.map((v) => spread(secondsOf(result, v, np)));
    const ratios = reference ? others.map((v) => ratio(medianSeconds(result, v, np), medianSeconds(result, reference, np))) : [];
    const loads = result.variants.flatMap((v) => (result.samples[v]?.[np] ?? []).map((s) => s.load));
    rows.push(`| ${np} | ${[...cells, ...ratios].join(" | ")} | ${loads.length === 0 ? "–" : `${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))}`} |`);
  }
  return rows.join("\n");
}

const PHASES = ["launch() called", "bundle ready", "spawned", "first hello", "last hello", "fence 1 complete", "all ranks exited"];

/** tsmpirun's TSMPIRUN_TRACE phases per N, median ms since the launcher process started. */
export function phaseTable(result: LaunchTimeResult): string {
  const rows = [`| N | ${PHASES.join(" | ")} | exit (wall) |`, `| --- | ${PHASES.map(() => "---:").join(" | ")} | ---: |`];
  for (const np of result.nps) {
    const list = result.samples[TSMPIRUN_LABEL]?.[np] ?? [];
    const cell = (name: string): string => {
      const values = list.map((s) => Object.entries(s.phases).find(([phase]) => phase.startsWith(name))?.[1]).filter((v): v is number => v !== undefined);
      return values.length === 0 ? "–" : fmt(median(values));
    };
    rows.push(`| ${np} | ${PHASES.map(cell).join(" | ")} | ${list.length === 0 ? "–" : fmt(median(list.map((s) => s.seconds * 1000)))} |`);
  }
  return rows.join("\n");
}
