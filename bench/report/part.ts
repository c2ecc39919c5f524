/**
 * The shape every part of the benchmark suite has, so that bench/run.ts can run them in order and
 * put them in one report: each bench/<part>/part.ts exports `part: BenchPart` (bench/report/parts.ts
 * imports them), `run(options)` measures and resolves to a `PartResult`. It never needs to catch its
 * own failure: a part that throws becomes a note in the report and the run goes on.
 *
 * A part writes nothing to bench/results/REPORT.md itself: it returns markdown sections, chart data
 * (bench/run.ts draws them with bench/plot/svg.ts) and verdicts on issue 5's targets
 * (bench/report/targets.ts names them). It may also write its own detailed files under
 * `options.outDir` and say so in `files`.
 */
import type { References } from "../reference/references.ts";
import type { Chart } from "../plot/svg.ts";

export type { Chart, Series, Point } from "../plot/svg.ts";

export interface PartOptions {
  /** Repository root (cwd of every program). */
  root: string;
  /** The reduced set: the whole `--quick` run stays under a minute, so a part gets ~10-20 s. */
  quick: boolean;
  /** none: the scheduler places every process; spread: rank r on cpu r mod nproc, for every implementation. */
  pin: "none" | "spread";
  /** The references as found after bench/reference/install.sh ran (or was skipped). */
  references: References;
  /** Where results go (bench/results, or bench/results/quick for --quick). */
  outDir: string;
  /** Seconds this part should aim to finish in (a hint; the full suite must stay under 15 minutes). */
  budgetSeconds: number;
}

export type Verdict = "met" | "missed" | "not measured";

/** One of issue 5's targets, as a part measured it. */
export interface TargetResult {
  /** An id from bench/report/targets.ts (TARGETS). */
  id: string;
  verdict: Verdict;
  /** The figures behind the verdict, e.g. "tsmpi 81 us, zeromq.js 40 us: 2.04x". */
  figures: string;
}

export interface PartSection {
  /** Heading (### level). */
  title: string;
  /** Markdown body: usually a table of medians with spread (bench/lib/stats.ts `spread`) and ratios. */
  markdown: string;
}

export interface PartResult {
  /** What was measured, how (iterations, rounds, launcher, pinning as it was). One line each. */
  method: string[];
  sections: PartSection[];
  charts: Chart[];
  targets: TargetResult[];
  /** Skipped references, failed rounds, caveats. */
  notes: string[];
  /** Extra files the part wrote, relative to the repository root. */
  files?: string[];
  /** Versions of what it compared against, for the machine section (e.g. "Open MPI 4.1.4"). */
  versions?: Record<string, string>;
}

export interface BenchPart {
  /** Short name used by `--parts` (pingpong, collectives, heat, pi, launch). */
  name: string;
  /** Heading in REPORT.md. */
  title: string;
  run(options: PartOptions): Promise<PartResult>;
}
