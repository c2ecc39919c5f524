/**
 * The heat measurement itself, shared by the command line (bench/heat/run.ts) and the `heat` part of
 * `pnpm bench` (bench/heat/part.ts): programs/heat.ts's time per step for tsmpi p2p, shared and
 * darray (bench/heat/tsmpi-heat.ts, the classes heat.ts runs), beside the same algorithm in C + Open
 * MPI (bench/reference/heat.c) and mpi4py + numpy (bench/reference/heat.py), in interleaved rounds
 * with the order rotating; every run's final-field checksum is kept so that all of them can be
 * compared (the field is bitwise the same for every implementation and rank count).
 *
 * A sample is the mean time per step over `steps` steps between two barriers, on rank 0, after
 * `warmup` steps; each program run gives `reps` samples. With `budgetSeconds`, rounds are cut (never
 * below one per n) when the time spent so far says the rest would not fit; the result says where.
 */
import { join } from "node:path";
import { loadNow, machineFacts, progress } from "../lib/machine.ts";
import { jsonLines } from "../lib/run-process.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";
import { detectReferences, type References } from "../reference/references.ts";
import { busyAtStart, plannedRounds, type ProgramSuiteRun, prepareReferences, referenceStdout, roundNotes, SourceWatch, tsmpiStdout } from "../lib/program-runs.ts";

export type Impl = "tsmpi-p2p" | "tsmpi-shared" | "tsmpi-darray" | "ompi-c" | "mpi4py";
export const IMPLS: readonly Impl[] = ["tsmpi-p2p", "tsmpi-shared", "tsmpi-darray", "ompi-c", "mpi4py"];
export const TSMPI_IMPLS: readonly Impl[] = ["tsmpi-p2p", "tsmpi-shared", "tsmpi-darray"];
/** Names in tables, progress lines and chart legends. */
export const NAMES: Record<Impl, string> = {
  "tsmpi-p2p": "tsmpi p2p",
  "tsmpi-shared": "tsmpi shared",
  "tsmpi-darray": "tsmpi darray",
  "ompi-c": "C + Open MPI",
  mpi4py: "mpi4py + numpy",
};

/** What is run: rank counts, grid, steps and repetitions, implementations. */
export interface HeatPlan {
  nps: number[];
  nx: number;
  ny: number;
  warmup: number;
  steps: number;
  reps: number;
  /** Rounds per n (the most: a budget may cut them). */
  rounds: number;
  impls: Impl[];
}

/** Issue 5's set: 2048 x 2048 at n = 1, 2, 4, 8, 16 (about 150 s on 2 cores with all five). */
export const FULL_PLAN: HeatPlan = { nps: [1, 2, 4, 8, 16], nx: 2048, ny: 2048, warmup: 5, steps: 20, reps: 3, rounds: 3, impls: [...IMPLS] };
/** The --quick set: n = 1, 2 on 512 x 512 (a few seconds). */
export const QUICK_PLAN: HeatPlan = { nps: [1, 2], nx: 512, ny: 512, warmup: 3, steps: 10, reps: 2, rounds: 1, impls: [...IMPLS] };

export interface HeatSuiteOptions {
  root: string;
  plan: HeatPlan;
  /** As found by the caller; detected here when absent. */
  references?: References;
  /** Per program run. */
  timeoutSeconds: number;
  /** Seconds to aim for: rounds after the first at each n are dropped when the rest would not fit. */
  budgetSeconds?: number;
}

/** What every program prints: one JSON line from rank 0. */
interface HeatLine {
  impl: Impl;
  np: number;
  dims: string;
  ms_per_step: number[];
  total_steps: number;
  sum: number;
  sha256: string;
}

export interface Cell {
  np: number;
  impl: Impl;
  dims: string;
  samples: number[];
  roundMedians: number[];
  checksums: { sum: number; sha256: string; total_steps: number }[];
}

export interface ChecksumReport {
  /** Runs compared. */
  runs: number;
  /** True if two runs of the same step count ended with different fields. */
  mismatch: boolean;
  /** Each distinct final field (`N steps: sum=S sha256=H`) and who computed it. */
  groups: Array<{ field: string; who: string[] }>;
}

export interface HeatSuiteResult extends ProgramSuiteRun {
  /** The plan as asked (rounds: the most per n). */
  plan: HeatPlan;
  /** Implementations that ran (the plan's, less skipped references). */
  impls: Impl[];
  cells: Cell[];
  checksums: ChecksumReport;
}


export async function runHeatSuite(options: HeatSuiteOptions): Promise<HeatSuiteResult> {
  const { root, plan, timeoutSeconds } = options;
  const { nps, nx, ny, warmup, steps, reps, rounds } = plan;
  const totalSteps = warmup + reps * steps;
  const startedAt = performance.now();
  const elapsed = (): number => (performance.now() - startedAt) / 1000;
  const facts = machineFacts(root);
  const loadAtStart = loadNow();
  progress(`heat: ${nx} x ${ny}, n = ${nps.join(", ")}, up to ${rounds} round(s), ${warmup} warm-up + ${reps} x ${steps} timed steps; load average ${loadAtStart}`);

  const notes: string[] = [];
  const impls = new Set<Impl>(plan.impls);
  const references = options.references ?? detectReferences();
  const cBinary = prepareReferences(impls, references, join(root, "bench/reference/heat.c"), notes);
  let bindTo = "none (launch() default)";

  /** One program run: its result line, or why there is none. */
  async function runOne(impl: Impl, np: number): Promise<HeatLine | string> {
    const args = [`--nx=${nx}`, `--ny=${ny}`, `--warmup=${warmup}`, `--steps=${steps}`, `--reps=${reps}`];
    const output = impl.startsWith("tsmpi-")
      ? await tsmpiStdout(
          { np, program: "bench/heat/tsmpi-heat.ts", args: [`--variant=${impl.slice("tsmpi-".length)}`, ...args], cwd: root, timeout: timeoutSeconds },
          (b) => (bindTo = b),
        )
      : await referenceStdout(impl as "ompi-c" | "mpi4py", { root, np, cBinary, script: "heat.py", args, timeoutSeconds });
    if (typeof output === "string") return output;
    return jsonLines<HeatLine>(output.stdout)[0] ?? "no result line";
  }

  const cells = new Map<string, Cell>();
  const sources = new SourceWatch(root);
  const order = IMPLS.filter((impl) => impls.has(impl));
  const roundsRun: Record<number, number> = {};
  /** Seconds one round took at the largest n so far (rounds get slower as n grows). */
  let roundSeconds = 0;
  for (const [index, np] of nps.entries()) {
    const planned = plannedRounds(rounds, { budgetSeconds: options.budgetSeconds, elapsed: elapsed(), roundSeconds, countsLeft: nps.length - index, np });
    for (let round = 1; round <= planned; round++) {
      const roundStarted = performance.now();
      // Rotate who goes first, so that no implementation always gets the freshest machine.
      const rotated = order.map((_, i) => order[(i + round - 1) % order.length]!);
      for (const impl of rotated) {
        const result = await runOne(impl, np);
        if (impl.startsWith("tsmpi")) sources.check();
        if (typeof result === "string") {
          const note = `${NAMES[impl]} n=${np} round ${round}: ${result}`;
          notes.push(note);
          progress(`  ${note}`);
          continue;
        }
        const key = `${np}/${impl}`;
        const cell = cells.get(key) ?? { np, impl, dims: result.dims, samples: [], roundMedians: [], checksums: [] };
        cells.set(key, cell);
        cell.samples.push(...result.ms_per_step);
        cell.roundMedians.push(median(result.ms_per_step));
        cell.checksums.push({ sum: result.sum, sha256: result.sha256, total_steps: result.total_steps });
        progress(
          `n=${np} round ${round}/${planned} ${NAMES[impl].padEnd(14)} ${fmt(median(result.ms_per_step))} ms/step (${result.dims}), sha256 ${result.sha256.slice(0, 12)}; ${elapsed().toFixed(0)} s, load ${loadNow()}`,
        );
      }
      roundSeconds = Math.max(roundSeconds, (performance.now() - roundStarted) / 1000);
    }
    roundsRun[np] = planned;
  }
  notes.push(...roundNotes({ nps, rounds, roundsRun, budgetSeconds: options.budgetSeconds, loadAtStart, cpus: facts.cpus }));
  const loadAtEnd = loadNow();

  const all = [...cells.values()];
  const checksums = compareChecksums(all);
  if (checksums.mismatch) {
    progress("CHECKSUM MISMATCH: the implementations did not compute the same field:");
    for (const g of checksums.groups) progress(`  ${g.field}: ${g.who.join(", ")}`);
  }
  return {
    plan,
    impls: order,
    cells: all,
    roundsRun,
    notes,
    checksums,
    references,
    bindTo,
    fingerprints: [...sources.fingerprints],
    facts,
    loadAtStart,
    loadAtEnd,
    busy: busyAtStart(loadAtStart, facts.cpus),
    seconds: elapsed(),
  };
}

/** Every run of the same grid and step count must end with the same field, bit for bit. */
function compareChecksums(cells: readonly Cell[]): ChecksumReport {
  const all = cells.flatMap((cell) => cell.checksums.map((c) => ({ ...c, who: `${NAMES[cell.impl]} n=${cell.np}` })));
  const groups = new Map<string, Set<string>>();
  for (const c of all) {
    const field = `${c.total_steps} steps: sum=${c.sum} sha256=${c.sha256}`;
    groups.set(field, (groups.get(field) ?? new Set()).add(c.who));
  }
  return {
    runs: all.length,
    mismatch: new Set(all.map((c) => c.total_steps)).size < groups.size,
    groups: [...groups].map(([field, who]) => ({ field, who: [...who] })),
  };
}

export const findCell = (result: HeatSuiteResult, np: number, impl: Impl): Cell | undefined => result.cells.find((c) => c.np === np && c.impl === impl);

/** Median ms per step, NaN when nothing was measured. */
export const medianMs = (result: HeatSuiteResult, np: number, impl: Impl): number => {
  const cell = findCell(result, np, impl);
  return cell === undefined || cell.samples.length === 0 ? Number.NaN : median(cell.samples);
};

/** One line: every run agreed, or (loudly) which fields came from whom. */
export function checksumText(result: HeatSuiteResult): string {
  const c = result.checksums;
  if (c.runs === 0) return "checksums: no run finished";
  return c.mismatch
    ? `**CHECKSUM MISMATCH**: the implementations did not compute the same field: ${c.groups.map((g) => `${g.field} from ${g.who.join(", ")}`).join("; ")}`
    : `checksums: all ${c.runs} runs ended with the same field (${c.groups.map((g) => g.field).join("; ")})`;
}

/**
 * The table: per n, the grid, each implementation's median (min–max) ms per step, then each tsmpi
 * variant over C + Open MPI and over mpi4py + numpy (ratios of medians).
 */
export function heatTable(result: HeatSuiteResult): string {
  const shown = result.impls;
  const tsmpiShown = shown.filter((impl) => impl.startsWith("tsmpi"));
  const cellText = (np: number, impl: Impl): string => {
    const cell = findCell(result, np, impl);
    return cell === undefined || cell.samples.length === 0 ? "failed" : spread(cell.samples);
  };
  const header = ["n", "grid (tsmpi p2p, C)", ...shown.map((impl) => `${NAMES[impl]} (ms)`), ...tsmpiShown.flatMap((impl) => [`${NAMES[impl]} / C`, `${NAMES[impl]} / mpi4py`])];
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map((_, i) => (i === 1 ? "---" : "---:")).join(" | ")} |`];
  for (const np of result.plan.nps) {
    const c = medianMs(result, np, "ompi-c");
    const p = medianMs(result, np, "mpi4py");
    const grid = [findCell(result, np, "tsmpi-p2p")?.dims ?? findCell(result, np, "tsmpi-darray")?.dims, findCell(result, np, "ompi-c")?.dims].map((d) => d ?? "?").join(", ");
    const ratios = tsmpiShown.flatMap((impl) => [ratio(medianMs(result, np, impl), c), ratio(medianMs(result, np, impl), p)]);
    lines.push(`| ${np} | ${grid} | ${shown.map((impl) => cellText(np, impl)).join(" | ")} | ${ratios.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The method, one line each (what the CLI's report and the part's method list both say). */
export function heatMethod(result: HeatSuiteResult): string[] {
  const { nx, ny, warmup, steps, reps, rounds } = result.plan;
  const roundsText = result.plan.nps.every((np) => result.roundsRun[np] === rounds)
    ? `${rounds} round(s) per n`
    : `up to ${rounds} round(s) per n (${result.plan.nps.map((np) => `n=${np}: ${result.roundsRun[np] ?? 0}`).join(", ")})`;
  const tsmpiBind = result.bindTo.startsWith("none") ? "unbound (launch() bindTo none)" : `bindTo ${result.bindTo}`;
  return [
    `the problem: ${nx} x ${ny} interior points, issue 4's initial field and constants; every program runs ${warmup} warm-up steps, then ${reps} samples of ${steps} steps (${warmup + reps * steps} steps in all, so every run ends on the same field)`,
    `a sample: barrier, ${steps} steps, barrier, on rank 0: ms per step; cells are median (min–max) over the rounds x ${reps} samples; ratios are of medians`,
    `${roundsText}, one program run per implementation per round, the order rotating each round; ${result.seconds.toFixed(0)} s in all`,
    `pinning: none: tsmpi ranks ${tsmpiBind}, Open MPI \`--bind-to none --oversubscribe\` (2 cores: n > 2 is oversubscribed)`,
    "implementations, one algorithm: 2-D blocks over a Cartesian grid (tsmpi computeDims, C MPI_Dims_create, mpi4py Compute_dims), nonblocking halo exchange of rows and packed columns overlapped with the update of the inner points, then the strips. " +
      "tsmpi p2p: bench/heat/tsmpi-heat.ts running programs/heat/halo-p2p.ts (heat.ts's default variant); tsmpi shared: programs/heat/variant-shared.ts (rows of two SharedArrays, one barrier per step; its \"grid\" is n row blocks); " +
      "tsmpi darray: programs/heat/variant-darray.ts (DArrayHeat: DArray's exchangeHaloStart, faces only, same blocks as p2p); C: bench/reference/heat.c (`mpicc -O2`); mpi4py: bench/reference/heat.py (uppercase Isend/Irecv on numpy buffers, numpy slicing for the stencil)",
    "checksums: each program gathers the final interior to rank 0 and prints its row-major sequential sum and the SHA-256 of its float64 bits, as `heat.ts --checksum` does; all runs must agree",
    `tsmpi sources (packages/{runtime,launcher}/src) fingerprint ${result.fingerprints.join(" → ")}${result.fingerprints.length > 1 ? " (**changed during the run: tsmpi figures mix versions**)" : ", unchanged during the run"}`,
  ];
}
