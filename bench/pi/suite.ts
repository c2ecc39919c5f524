/**
 * The pi measurement itself, shared by the command line (bench/pi/run.ts) and the `pi` part of
 * `pnpm bench` (bench/pi/part.ts): programs/pi.ts's time for each method (darts, series) against
 * rank count, beside the same algorithms in C + Open MPI (bench/reference/pi.c) and mpi4py + numpy
 * (bench/reference/pi.py), in interleaved rounds with the order rotating. Every run's result is kept
 * so that they can be compared: darts hit counts are integers and must be equal, to the dart, for
 * every implementation at the same n (one mulberry32 stream per rank, the same split); series
 * estimates differ only in how the partial sums were combined, so they must agree to 1e-12.
 *
 * A sample is one program run: the time pi.ts prints, from after a barrier to the result on rank 0
 * (start-up and finalize are not in it). Each (implementation, method) is its own run with its own
 * N, so that both methods take a measurable time. With `budgetSeconds`, rounds are cut (never below
 * one per n) when the time spent so far says the rest would not fit; the result says where.
 */
import { join } from "node:path";
import { loadNow, machineFacts, progress } from "../lib/machine.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";
import { detectReferences, type References } from "../reference/references.ts";
import { busyAtStart, plannedRounds, type ProgramSuiteRun, prepareReferences, referenceStdout, roundNotes, SourceWatch, tsmpiStdout } from "../lib/program-runs.ts";
import { parsePiOutput, type Method, type PiRun } from "./output.ts";

export type { Method } from "./output.ts";
export type Impl = "tsmpi" | "ompi-c" | "mpi4py";
export const IMPLS: readonly Impl[] = ["tsmpi", "ompi-c", "mpi4py"];
export const METHODS: readonly Method[] = ["darts", "series"];
/** Names in tables, progress lines and chart legends. */
export const NAMES: Record<Impl, string> = { tsmpi: "tsmpi", "ompi-c": "C + Open MPI", mpi4py: "mpi4py + numpy" };
/** Series estimates of the same N and n must agree to this (relative): only the combining order differs. */
export const SERIES_TOLERANCE = 1e-12;

/** What is run: rank counts, each method's N, the seed, rounds, implementations. */
export interface PiPlan {
  nps: number[];
  /** --n for --method darts: darts thrown. */
  darts: number;
  /** --n for --method series: the last index N. */
  terms: number;
  seed: number;
  /** Rounds per n (the most: a budget may cut them); each gives one sample per cell. */
  rounds: number;
  impls: Impl[];
  methods: Method[];
}

/**
 * Issue 3's set: n = 1, 2, 4, 8, 16; each N takes tsmpi 0.2-0.3 s at n = 1 on this machine. At
 * n = 16 a round is mostly start-up (16 processes on 2 cores, mpi4py's importing numpy): about a
 * third of the part's time.
 */
export const FULL_PLAN: PiPlan = { nps: [1, 2, 4, 8, 16], darts: 30_000_000, terms: 150_000_000, seed: 20261124, rounds: 3, impls: [...IMPLS], methods: [...METHODS] };
/** The --quick set: n = 1, 2, small N, one round (a few seconds, mostly start-up). */
export const QUICK_PLAN: PiPlan = { nps: [1, 2], darts: 2_000_000, terms: 10_000_000, seed: 20261124, rounds: 1, impls: [...IMPLS], methods: [...METHODS] };

export interface PiSuiteOptions {
  root: string;
  plan: PiPlan;
  /** As found by the caller; detected here when absent. */
  references?: References;
  /** Per program run. */
  timeoutSeconds: number;
  /** Seconds to aim for: rounds after the first at each n are dropped when the rest would not fit. */
  budgetSeconds?: number;
}

export interface Cell {
  np: number;
  impl: Impl;
  method: Method;
  /** Milliseconds, one per program run. */
  samples: number[];
  /** Every run's result, in run order. */
  results: Array<{ hits?: number; estimate: number }>;
}

export interface CheckReport {
  /** Runs compared. */
  runs: number;
  /** True if two darts runs at the same n counted different hits, or two series estimates differ by more than SERIES_TOLERANCE. */
  mismatch: boolean;
  /** Per n: each distinct hit count and who counted it (one group: all agree). */
  darts: Array<{ np: number; groups: Array<{ hits: number; who: string[] }> }>;
  /** Per n: the estimates' largest relative difference from tsmpi's (else the first run's), and who was farthest. */
  series: Array<{ np: number; estimate: number; largest: number; who: string }>;
}

export interface PiSuiteResult extends ProgramSuiteRun {
  /** The plan as asked (rounds: the most per n). */
  plan: PiPlan;
  /** Implementations that ran (the plan's, less skipped references). */
  impls: Impl[];
  cells: Cell[];
  checks: CheckReport;
}


export async function runPiSuite(options: PiSuiteOptions): Promise<PiSuiteResult> {
  const { root, plan, timeoutSeconds } = options;
  const { nps, rounds, seed } = plan;
  const nOf: Record<Method, number> = { darts: plan.darts, series: plan.terms };
  const startedAt = performance.now();
  const elapsed = (): number => (performance.now() - startedAt) / 1000;
  const facts = machineFacts(root);
  const loadAtStart = loadNow();
  progress(`pi: ${plan.methods.map((m) => `${m} N = ${nOf[m]}`).join(", ")}, seed ${seed}, n = ${nps.join(", ")}, up to ${rounds} round(s); load average ${loadAtStart}`);

  const notes: string[] = [];
  const impls = new Set<Impl>(plan.impls);
  const references = options.references ?? detectReferences();
  const cBinary = prepareReferences(impls, references, join(root, "bench/reference/pi.c"), notes);
  let bindTo = "none (launch() default)";

  /** One program run: its result, or why there is none. */
  async function runOne(impl: Impl, method: Method, np: number): Promise<PiRun | string> {
    const args = [`--method=${method}`, `--n=${nOf[method]}`, `--seed=${seed}`];
    const output =
      impl === "tsmpi"
        ? await tsmpiStdout({ np, program: "programs/pi.ts", args, cwd: root, timeout: timeoutSeconds }, (b) => (bindTo = b))
        : await referenceStdout(impl, { root, np, cBinary, script: "pi.py", args, timeoutSeconds });
    if (typeof output === "string") return output;
    const stdout = output.stdout;
    const parsed = parsePiOutput(stdout, method);
    if (typeof parsed === "string") return parsed;
    // A program that ran something else than asked must not be compared with the others.
    if (parsed.np !== np || parsed.n !== nOf[method]) return `ran N = ${parsed.n} on ${parsed.np} ranks, asked for N = ${nOf[method]} on ${np}`;
    return parsed;
  }

  const cells = new Map<string, Cell>();
  const sources = new SourceWatch(root);
  const order = IMPLS.filter((impl) => impls.has(impl)).flatMap((impl) => plan.methods.map((method) => ({ impl, method })));
  const roundsRun: Record<number, number> = {};
  /** Seconds one round took at the largest n so far (rounds get slower as n grows). */
  let roundSeconds = 0;
  for (const [index, np] of nps.entries()) {
    const planned = plannedRounds(rounds, { budgetSeconds: options.budgetSeconds, elapsed: elapsed(), roundSeconds, countsLeft: nps.length - index, np });
    for (let round = 1; round <= planned; round++) {
      const roundStarted = performance.now();
      // Rotate who goes first, so that no implementation always gets the freshest machine.
      const rotated = order.map((_, i) => order[(i + round - 1) % order.length]!);
      for (const { impl, method } of rotated) {
        const result = await runOne(impl, method, np);
        if (impl === "tsmpi") sources.check();
        if (typeof result === "string") {
          const note = `${NAMES[impl]} ${method} n=${np} round ${round}: ${result}`;
          notes.push(note);
          progress(`  ${note}`);
          continue;
        }
        const key = `${np}/${impl}/${method}`;
        const cell = cells.get(key) ?? { np, impl, method, samples: [], results: [] };
        cells.set(key, cell);
        cell.samples.push(result.seconds * 1000);
        cell.results.push(result.hits === undefined ? { estimate: result.estimate } : { hits: result.hits, estimate: result.estimate });
        progress(
          `n=${np} round ${round}/${planned} ${NAMES[impl].padEnd(14)} ${method.padEnd(6)} ${fmt(result.seconds * 1000)} ms, ${result.hits === undefined ? "" : `hits ${result.hits}, `}pi ~ ${result.estimate}; ${elapsed().toFixed(0)} s, load ${loadNow()}`,
        );
      }
      roundSeconds = Math.max(roundSeconds, (performance.now() - roundStarted) / 1000);
    }
    roundsRun[np] = planned;
  }
  notes.push(...roundNotes({ nps, rounds, roundsRun, budgetSeconds: options.budgetSeconds, loadAtStart, cpus: facts.cpus }));
  const loadAtEnd = loadNow();

  const all = [...cells.values()];
  const checks = compareResults(all, nps);
  if (checks.mismatch) {
    progress("RESULT MISMATCH: the implementations did not compute the same thing:");
    progress(`  ${checkText({ checks })}`);
  }
  return {
    plan,
    impls: IMPLS.filter((impl) => impls.has(impl)),
    cells: all,
    roundsRun,
    notes,
    checks,
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

/**
 * At each n: every darts run must count the same hits (integers: exact whatever the reduction
 * order), and every series estimate must be within SERIES_TOLERANCE (relative) of tsmpi's.
 */
function compareResults(cells: readonly Cell[], nps: readonly number[]): CheckReport {
  const who = (cell: Cell): string => `${NAMES[cell.impl]} n=${cell.np}`;
  let runs = 0;
  let mismatch = false;
  const darts: CheckReport["darts"] = [];
  const series: CheckReport["series"] = [];
  for (const np of nps) {
    const groups = new Map<number, Set<string>>();
    for (const cell of cells.filter((c) => c.np === np && c.method === "darts")) {
      for (const r of cell.results) {
        runs++;
        groups.set(r.hits!, (groups.get(r.hits!) ?? new Set()).add(who(cell)));
      }
    }
    if (groups.size > 1) mismatch = true;
    if (groups.size > 0) darts.push({ np, groups: [...groups].map(([hits, names]) => ({ hits, who: [...names] })) });

    const seriesCells = cells.filter((c) => c.np === np && c.method === "series" && c.results.length > 0);
    const base = (seriesCells.find((c) => c.impl === "tsmpi") ?? seriesCells[0])?.results[0]?.estimate;
    if (base === undefined) continue;
    let largest = 0;
    let farthest = "";
    for (const cell of seriesCells) {
      for (const r of cell.results) {
        runs++;
        const difference = Math.abs(r.estimate - base) / Math.abs(base);
        // NaN (an unreadable estimate) must not pass as agreement.
        if (!(difference <= largest)) [largest, farthest] = [Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference, who(cell)];
      }
    }
    if (largest > SERIES_TOLERANCE) mismatch = true;
    series.push({ np, estimate: base, largest, who: farthest });
  }
  return { runs, mismatch, darts, series };
}

export const findCell = (result: PiSuiteResult, np: number, impl: Impl, method: Method): Cell | undefined =>
  result.cells.find((c) => c.np === np && c.impl === impl && c.method === method);

/** Median ms, NaN when nothing was measured. */
export const medianMs = (result: PiSuiteResult, np: number, impl: Impl, method: Method): number => {
  const cell = findCell(result, np, impl, method);
  return cell === undefined || cell.samples.length === 0 ? Number.NaN : median(cell.samples);
};

/** One line: every run agreed, or (loudly) where they did not. */
export function checkText(result: Pick<PiSuiteResult, "checks">): string {
  const c = result.checks;
  if (c.runs === 0) return "checks: no run finished";
  const dartsBad = c.darts.filter((d) => d.groups.length > 1);
  const seriesBad = c.series.filter((s) => s.largest > SERIES_TOLERANCE);
  if (!c.mismatch) {
    const largest = Math.max(0, ...c.series.map((s) => s.largest));
    return `checks: all ${c.runs} runs agree: at each n every darts run counted the same hits, and the series estimates are within ${SERIES_TOLERANCE} of tsmpi's (largest relative difference ${largest.toExponential(1)})`;
  }
  const parts = [
    ...dartsBad.map((d) => `darts n=${d.np}: ${d.groups.map((g) => `hits ${g.hits} from ${g.who.join(", ")}`).join("; ")}`),
    ...seriesBad.map((s) => `series n=${s.np}: ${s.who} differs from ${s.estimate} by ${s.largest.toExponential(2)} relative (tolerance ${SERIES_TOLERANCE})`),
  ];
  return `**RESULT MISMATCH**: the implementations did not compute the same thing: ${parts.join("; ")}`;
}

/**
 * The timing table: per n, each implementation's median (min–max) ms for darts, then for series,
 * then tsmpi over C + Open MPI and over mpi4py + numpy for each method (ratios of medians).
 */
export function piTable(result: PiSuiteResult): string {
  const methods = result.plan.methods;
  const shown = result.impls;
  const cellText = (np: number, impl: Impl, method: Method): string => {
    const cell = findCell(result, np, impl, method);
    return cell === undefined || cell.samples.length === 0 ? "failed" : spread(cell.samples);
  };
  const refs = (["ompi-c", "mpi4py"] as const).filter((impl) => shown.includes(impl));
  const short: Record<Impl, string> = { tsmpi: "tsmpi", "ompi-c": "C", mpi4py: "mpi4py" };
  const header = [
    "n",
    ...methods.flatMap((method) => shown.map((impl) => `${NAMES[impl]} ${method} (ms)`)),
    ...methods.flatMap((method) => refs.map((impl) => `${method} tsmpi / ${short[impl]}`)),
  ];
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---:").join(" | ")} |`];
  for (const np of result.plan.nps) {
    const times = methods.flatMap((method) => shown.map((impl) => cellText(np, impl, method)));
    const ratios = methods.flatMap((method) => refs.map((impl) => ratio(medianMs(result, np, "tsmpi", method), medianMs(result, np, impl, method))));
    lines.push(`| ${[np, ...times, ...ratios].join(" | ")} |`);
  }
  return lines.join("\n");
}

/** What was computed at each n: the hits every darts run agreed on (or all of them), the series estimate. */
export function resultsTable(result: PiSuiteResult): string {
  const { checks } = result;
  const lines = ["| n | darts: hits | darts: estimate | series: estimate (tsmpi) | series: largest relative difference |", "| ---: | ---: | ---: | ---: | --- |"];
  for (const np of result.plan.nps) {
    const d = checks.darts.find((x) => x.np === np);
    const s = checks.series.find((x) => x.np === np);
    const hits = d === undefined ? "–" : d.groups.length === 1 ? String(d.groups[0]!.hits) : `**${d.groups.map((g) => `${g.hits} (${g.who.join(", ")})`).join(" vs ")}**`;
    const estimate = d === undefined || d.groups.length !== 1 ? "–" : String((4 * d.groups[0]!.hits) / result.plan.darts);
    const difference = s === undefined ? "–" : `${s.largest.toExponential(1)}${s.largest > SERIES_TOLERANCE ? ` **(${s.who}: over ${SERIES_TOLERANCE})**` : s.largest > 0 ? ` (${s.who})` : ""}`;
    lines.push(`| ${np} | ${hits} | ${estimate} | ${s === undefined ? "–" : String(s.estimate)} | ${difference} |`);
  }
  return lines.join("\n");
}

/** The method, one line each (what the CLI's report and the part's method list both say). */
export function piMethod(result: PiSuiteResult): string[] {
  const { darts, terms, seed, rounds, methods } = result.plan;
  const roundsText = result.plan.nps.every((np) => result.roundsRun[np] === rounds)
    ? `${rounds} round(s) per n`
    : `up to ${rounds} round(s) per n (${result.plan.nps.map((np) => `n=${np}: ${result.roundsRun[np] ?? 0}`).join(", ")})`;
  const tsmpiBind = result.bindTo.startsWith("none") ? "unbound (launch() bindTo none)" : `bindTo ${result.bindTo}`;
  return [
    `the problem: ${methods.map((m) => (m === "darts" ? `darts: ${darts} darts, seed ${seed}` : `series: i = 0..${terms}`)).join("; ")}; each method is its own program run (\`--method=M --n=N --seed=S\`)`,
    "a sample: one program run's own time, from after a barrier to the result on rank 0 (darts: hits reduced to rank 0; series: allreduce), start-up excluded; cells are median (min–max) over the rounds; ratios are of medians",
    `${roundsText}, one run per implementation and method per round, the order rotating each round; ${result.seconds.toFixed(0)} s in all`,
    `pinning: none: tsmpi ranks ${tsmpiBind}, Open MPI \`--bind-to none --oversubscribe\` (2 cores: n > 2 is oversubscribed)`,
    "implementations, the same algorithms: darts: one mulberry32 stream per rank (programs/pi/random.ts streamFor(seed, rank)), evenPart's split of the darts, a hit when x*x + y*y < 1, the integer hits reduced with SUM to rank 0; " +
      "series: sum of (-1)^i/(2i+1) over evenPart's split of i = 0..N, smallest terms first, then allreduce SUM. " +
      "tsmpi: programs/pi.ts itself (`launch()`); C: bench/reference/pi.c (`mpicc -O2`, MPI_Reduce / MPI_Allreduce); mpi4py: bench/reference/pi.py (mulberry32 vectorised in numpy uint32 over chunks of 65536 darts, the series as a running sum per chunk; lowercase reduce / allreduce)",
    `results compared: the darts hit counts must be equal for every implementation at the same n (integers, to the dart), the series estimates within ${SERIES_TOLERANCE} relative of tsmpi's (only the order of combining the partial sums differs)`,
    `tsmpi sources (packages/{runtime,launcher}/src) fingerprint ${result.fingerprints.join(" → ")}${result.fingerprints.length > 1 ? " (**changed during the run: tsmpi figures mix versions**)" : ", unchanged during the run"}`,
  ];
}
