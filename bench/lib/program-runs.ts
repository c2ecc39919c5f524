/**
 * Running one benchmark program per implementation, the way the heat and pi parts do: tsmpi through
 * `launch()`, the references through `mpirun`; each run yields its rank 0 output or why there is
 * none. Also the round budget and the check that tsmpi's sources did not change mid-run.
 */
import type { LaunchOptions } from "@tsmpi/launcher";
import { join } from "node:path";
import { missingMpi4py, mpiEnv, mpirunArgs, prepareC, PYTHON, firstLine, type References } from "../reference/references.ts";
import { progress, sourceFingerprint, type MachineFacts } from "./machine.ts";
import { runProcess } from "./run-process.ts";

/** What a heat- or pi-style suite reports about its run besides its own cells and checks. */
export interface ProgramSuiteRun {
  /** Rounds actually run per n (fewer than plan.rounds where the budget cut them). */
  roundsRun: Record<number, number>;
  notes: string[];
  references: References;
  /** tsmpi's binding as launch() reported it. */
  bindTo: string;
  /** Fingerprints of packages/{runtime,launcher}/src seen during the run (more than one: they changed). */
  fingerprints: string[];
  facts: MachineFacts;
  loadAtStart: string;
  loadAtEnd: string;
  /** More runnable work than 2x the cpus at the start. */
  busy: boolean;
  seconds: number;
}

/**
 * Drops the references that cannot run here from `impls` ("ompi-c": C + Open MPI built from
 * `cSource`; "mpi4py"), each with a note; returns the C binary when it can run.
 */
export function prepareReferences(impls: Set<string>, references: References, cSource: string, notes: string[]): string | undefined {
  let binary: string | undefined;
  if (impls.has("ompi-c")) {
    const built = prepareC(references, cSource);
    if ("binary" in built) binary = built.binary;
    else {
      notes.push(`C + Open MPI not measured: ${built.why}`);
      impls.delete("ompi-c");
    }
  }
  const noMpi4py = impls.has("mpi4py") ? missingMpi4py(references) : undefined;
  if (noMpi4py !== undefined) {
    notes.push(`mpi4py + numpy not measured: ${noMpi4py}`);
    impls.delete("mpi4py");
  }
  return binary;
}

/** A tsmpi job's rank 0 stdout, or why there is none; `onBindTo` learns the binding it ran with. */
export async function tsmpiStdout(options: LaunchOptions, onBindTo: (bindTo: string) => void): Promise<{ stdout: string } | string> {
  const { launch } = await import("@tsmpi/launcher");
  let job;
  try {
    job = await launch(options);
  } catch (error) {
    return `launch() failed: ${firstLine(error)}`;
  }
  if (job.placement !== undefined) onBindTo(job.placement.bindTo);
  if (job.exitCode === 124) return `timed out after ${options.timeout} s`;
  if (job.exitCode !== 0) return `failed (exit ${job.exitCode}): ${job.failure ?? job.ranks.map((r) => r.stderr).join("").trim().split("\n").slice(-2).join(" / ")}`.trim();
  return { stdout: job.ranks[0]?.stdout ?? "" };
}

/** A reference run under mpirun: the C binary, or the Python script `script` (bench/reference/). */
export async function referenceStdout(
  impl: "ompi-c" | "mpi4py",
  run: { root: string; np: number; cBinary: string | undefined; script: string; args: readonly string[]; timeoutSeconds: number },
): Promise<{ stdout: string } | string> {
  const program = impl === "ompi-c" ? [run.cBinary!] : [PYTHON, join(run.root, "bench/reference", run.script)];
  const result = await runProcess("mpirun", [...mpirunArgs(run.np), ...program, ...run.args], { cwd: run.root, env: mpiEnv(true), timeoutSeconds: run.timeoutSeconds });
  if (result.timedOut) return `timed out after ${run.timeoutSeconds} s`;
  if (result.code !== 0) return `mpirun exited with ${result.code ?? result.signal}: ${result.stderr.trim().split("\n").slice(-3).join(" / ")}`;
  return { stdout: result.stdout };
}

/**
 * Rounds to run at the `index`-th rank count when `budgetSeconds` allows fewer than `rounds`: the
 * rest of the rank counts at the last round's pace (a floor: larger n is usually slower).
 */
export function plannedRounds(rounds: number, budget: { budgetSeconds: number | undefined; elapsed: number; roundSeconds: number; countsLeft: number; np: number }): number {
  if (budget.budgetSeconds === undefined || budget.roundSeconds <= 0) return rounds;
  const left = budget.budgetSeconds - budget.elapsed;
  const planned = Math.max(1, Math.min(rounds, Math.floor(left / (budget.roundSeconds * budget.countsLeft))));
  if (planned < rounds) progress(`  budget: ${planned} round(s) at n=${budget.np} (${left.toFixed(0)} s of ${budget.budgetSeconds} s left)`);
  return planned;
}

/**
 * Notes on how a run went: rank counts that got fewer rounds than planned (the budget), and a busy
 * machine at the start. More runnable work than cores from others makes every figure noisier
 * (ratios less so); only the load at the start says so, since at the end it includes our own ranks.
 */
export function roundNotes(run: { nps: readonly number[]; rounds: number; roundsRun: Record<number, number>; budgetSeconds: number | undefined; loadAtStart: string; cpus: number }): string[] {
  const notes: string[] = [];
  const cut = run.nps.filter((np) => run.roundsRun[np]! < run.rounds);
  if (cut.length > 0) notes.push(`to stay within ${run.budgetSeconds} s: ${cut.map((np) => `${run.roundsRun[np]} round(s) at n=${np}`).join(", ")} instead of ${run.rounds}`);
  const load = run.loadAtStart.split(" ")[0];
  if (busyAtStart(run.loadAtStart, run.cpus)) notes.push(`the machine was busy at the start (1-minute load average ${load} on ${run.cpus} cpus): rerun when it is quieter to confirm`);
  return notes;
}

/** More than two runnable processes per cpu (1-minute load average) when the run started. */
export function busyAtStart(loadAtStart: string, cpus: number): boolean {
  return Number(loadAtStart.split(" ")[0]) > cpus * 2;
}

/** Fingerprints of the packages' sources seen during a run; warns once per change (tsmpi figures would mix versions). */
export class SourceWatch {
  readonly fingerprints: Set<string>;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.fingerprints = new Set([sourceFingerprint(root)]);
  }

  check(): void {
    const fingerprint = sourceFingerprint(this.#root);
    if (this.fingerprints.has(fingerprint)) return;
    this.fingerprints.add(fingerprint);
    progress(`  warning: packages/*/src changed during the run (now ${fingerprint}): tsmpi figures mix versions`);
  }
}
