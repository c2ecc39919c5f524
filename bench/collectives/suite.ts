/**
 * The collectives benchmark as a function, so that run.ts (its command line) and a later
 * whole-suite runner can both call it: for each rank count, `rounds` rounds of tsmpi, Open MPI C and
 * mpi4py (lowercase and uppercase in one process), in an order that rotates every round (this shared
 * 2-core machine drifts, so ratios are only taken within one run), pooling every sample.
 */
import { join } from "node:path";
import { jsonLines, runProcess } from "../lib/run-process.ts";
import { progress, sourceFingerprint } from "../lib/machine.ts";
import { median } from "../lib/stats.ts";
import { detectReferences, missingMpi4py, mpiEnv, mpirunArgs, prepareC, probeSingleCopy, PYTHON, type References } from "../reference/references.ts";
import { encodeCases, planFor, type Impl, type PinMode, type PlannedCase, type ResultLine } from "./plan.ts";

export type Runner = "tsmpi" | "ompi-c" | "mpi4py";
export const RUNNERS: readonly Runner[] = ["tsmpi", "ompi-c", "mpi4py"];

export interface SuiteOptions {
  root: string;
  nps: number[];
  rounds: number;
  reps: number;
  quick: boolean;
  pin: PinMode;
  runners: readonly Runner[];
  /** Seconds before one program run is ended. */
  timeoutSeconds: number;
  /** Extra environment for the tsmpi ranks, e.g. `{ TSMPI_COLL_ALLREDUCE: "ring" }` (run.ts `--force`). */
  tsmpiEnv: Record<string, string>;
}

/** Every sample of one (n, implementation, case), pooled over rounds. */
export interface Cell {
  np: number;
  impl: Impl;
  op: ResultLine["op"];
  count: number;
  samples: number[];
  /** Medians of each round, to see drift between rounds. */
  roundMedians: number[];
  checkFailed: boolean;
  skipped?: string;
}

export interface SuiteResult {
  options: SuiteOptions;
  references: References;
  /** Open MPI's CMA single copy worked (else it was turned off for the references). */
  singleCopy: boolean | undefined;
  plans: Record<number, PlannedCase[]>;
  cells: Cell[];
  /** Why a runner produced nothing, per rank count (missing reference, failed run). */
  notes: string[];
  /** sourceFingerprint() of the tsmpi sources at each tsmpi launch (more than one: the run mixes versions). */
  fingerprints: string[];
  seconds: number;
}

const cellKey = (np: number, impl: string, op: string, count: number): string => `${np}/${impl}/${op}/${count}`;

export async function runCollectivesSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const { root } = options;
  const references = detectReferences();
  const notes: string[] = [];
  const runners = new Set(options.runners);

  let cBinary: string | undefined;
  let singleCopy: boolean | undefined;
  if (runners.has("ompi-c")) {
    const built = prepareC(references, join(root, "bench/reference/collectives.c"));
    if ("binary" in built) cBinary = built.binary;
    else {
      notes.push(`Open MPI C skipped: ${built.why}`);
      runners.delete("ompi-c");
    }
  }
  const noMpi4py = runners.has("mpi4py") ? missingMpi4py(references) : undefined;
  if (noMpi4py !== undefined) {
    notes.push(`mpi4py skipped: ${noMpi4py}`);
    runners.delete("mpi4py");
  }
  if (cBinary !== undefined) {
    singleCopy = await probeSingleCopy(cBinary, root);
    if (!singleCopy) notes.push("Open MPI's CMA single copy failed here: references ran with OMPI_MCA_btl_vader_single_copy_mechanism=none");
  }
  const env = mpiEnv(singleCopy !== false);

  const cells = new Map<string, Cell>();
  const pool = (line: ResultLine): void => {
    const key = cellKey(line.np, line.impl, line.op, line.count);
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = { np: line.np, impl: line.impl, op: line.op, count: line.count, samples: [], roundMedians: [], checkFailed: false };
      cells.set(key, cell);
    }
    if (line.skipped !== undefined) {
      cell.skipped = line.skipped;
      return;
    }
    cell.samples.push(...line.samples_us);
    cell.roundMedians.push(median(line.samples_us));
    if (line.check !== "ok") cell.checkFailed = true;
  };

  const fingerprints = new Set<string>([sourceFingerprint(root)]);
  const plans: Record<number, PlannedCase[]> = {};
  const order = RUNNERS.filter((r) => runners.has(r));
  for (const np of options.nps) {
    const plan = planFor(np, options.quick);
    plans[np] = plan;
    const args = [`--cases=${encodeCases(plan)}`, `--reps=${options.reps}`, `--pin=${options.pin}`];
    for (let round = 1; round <= options.rounds; round++) {
      // Rotate who goes first, so that no implementation always gets the freshest machine.
      const rotated = order.map((_, i) => order[(i + round - 1) % order.length]!);
      for (const runner of rotated) {
        progress(`n=${np} round ${round}/${options.rounds}: ${runner}`);
        const result = await runOne(runner, np, args, { root, env, cBinary, timeoutSeconds: options.timeoutSeconds, tsmpiEnv: options.tsmpiEnv });
        if (runner === "tsmpi") {
          const fingerprint = sourceFingerprint(root);
          if (!fingerprints.has(fingerprint)) {
            fingerprints.add(fingerprint);
            progress(`  warning: packages/*/src changed during the run (now ${fingerprint}): tsmpi figures mix versions`);
          }
        }
        if (typeof result === "string") {
          const note = `${runner} n=${np} round ${round}: ${result}`;
          notes.push(note);
          progress(`  ${note}`);
          continue;
        }
        result.forEach(pool);
      }
    }
  }
  return { options, references, singleCopy, plans, cells: [...cells.values()], notes, fingerprints: [...fingerprints], seconds: (performance.now() - started) / 1000 };
}

/** One program run: its result lines, or why there are none. */
async function runOne(
  runner: Runner,
  np: number,
  args: string[],
  ctx: { root: string; env: NodeJS.ProcessEnv; cBinary: string | undefined; timeoutSeconds: number; tsmpiEnv: Record<string, string> },
): Promise<ResultLine[] | string> {
  if (runner === "tsmpi") {
    let job;
    try {
      const { launch } = await import("@tsmpi/launcher");
      job = await launch({ np, program: "bench/collectives/tsmpi-collectives.ts", args, cwd: ctx.root, env: ctx.tsmpiEnv, timeout: ctx.timeoutSeconds });
    } catch (error) {
      return `launch() failed: ${(error as Error).message.split("\n")[0]}`;
    }
    for (const r of job.ranks) for (const line of r.stderr.split("\n")) if (line !== "") progress(line);
    const lines = jsonLines<ResultLine>(job.ranks[0]?.stdout ?? "");
    if (job.exitCode !== 0) return `failed (exit ${job.exitCode}): ${job.failure ?? ""}`.trim();
    return lines;
  }
  const program = runner === "ompi-c" ? [ctx.cBinary!] : [PYTHON, join(ctx.root, "bench/reference/collectives.py")];
  const run = await runProcess("mpirun", [...mpirunArgs(np), ...program, ...args], { cwd: ctx.root, env: ctx.env, timeoutSeconds: ctx.timeoutSeconds });
  if (run.timedOut) return `timed out after ${ctx.timeoutSeconds} s`;
  if (run.code !== 0) return `mpirun exited with ${run.code ?? run.signal}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}`;
  return jsonLines<ResultLine>(run.stdout);
}
