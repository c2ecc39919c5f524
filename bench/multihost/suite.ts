/**
 * The multi-host measurement: first one placement probe per layout and implementation (where did
 * each rank run? does this tsmpirun know `--host` and `--auth` yet?), then `rounds` rounds of every
 * layout, the implementations' order rotating each round (this shared machine drifts), every sample
 * pooled per layout, implementation and case. Rounds after the first are cut when the budget would
 * not hold them.
 */
import { join } from "node:path";
import { progress } from "../lib/machine.ts";
import { SourceWatch } from "../lib/program-runs.ts";
import { jsonLines } from "../lib/run-process.ts";
import { median } from "../lib/stats.ts";
import { encodeCases, type PinMode, type ResultLine } from "../collectives/plan.ts";
import type { ProgramResult } from "../pingpong/common.ts";
import { prepareC, type References } from "../reference/references.ts";
import type { Cluster } from "./cluster.ts";
import { commandLine, runJob, type Job, type JobOutcome } from "./jobs.ts";
import {
  allreduceLabel,
  allreducePlan,
  expectedHosts,
  IMPLS,
  isTsmpi,
  NAMES,
  pingpongArgs,
  pingpongReferenceArgs,
  ranksOf,
  type Impl,
  type Layout,
} from "./plan.ts";

export interface SuiteOptions {
  root: string;
  cluster: Cluster;
  references: References;
  layouts: readonly Layout[];
  /** The most rounds; the budget may cut them (never below one). */
  rounds: number;
  quick: boolean;
  pin: PinMode;
  /** Samples per program run. */
  reps: { pingpong: number; allreduce: number };
  timeoutSeconds: number;
  budgetSeconds: number;
}

export type Metric = "latency" | "bandwidth" | "allreduce";

/** Every sample of one (layout, implementation, metric, case), pooled over rounds. */
export interface Cell {
  layout: string;
  impl: Impl;
  metric: Metric;
  label: string;
  bytes: number;
  /** latency: half round trip (us); bandwidth: MB/s; allreduce: us per call, the slowest rank's. */
  samples: number[];
  roundMedians: number[];
  checkFailed: boolean;
}

export interface Placement {
  layout: string;
  impl: Impl;
  /** Rank r's host name, as the probe found it. */
  hosts: string[];
}

export interface SuiteResult {
  /** What ran where (layout id to implementations), after the probes. */
  measured: Record<string, Impl[]>;
  /** Why an implementation was measured nowhere (no Open MPI, tsmpirun without --host). */
  skipped: Partial<Record<Impl, string>>;
  placements: Placement[];
  /** One command line per layout and implementation, as the first round ran it (or would have). */
  commands: Array<{ layout: string; impl: Impl; command: string; ran: boolean }>;
  cells: Cell[];
  notes: string[];
  roundsRun: number;
  fingerprints: string[];
  seconds: number;
}

const PROBE_TSMPI = "bench/multihost/tsmpi-where.ts";
const PROBE_OMPI = ["sh", "-c", 'echo "$OMPI_COMM_WORLD_RANK $(hostname)"'];

export async function runMultihostSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const notes: string[] = [];
  const job = (layout: Layout, impl: Impl, command: readonly string[], forwardStderr = true): Job => ({
    root: options.root,
    cluster: options.cluster,
    layout,
    impl,
    command,
    timeoutSeconds: options.timeoutSeconds,
    forwardStderr,
  });

  // Which implementations run at which layout: the probes and the references take some out.
  const measured = new Map(options.layouts.map((l) => [l, new Set(IMPLS)]));
  const skipped: SuiteResult["skipped"] = {};
  const dropEverywhere = (impls: readonly Impl[], why: string): void => {
    notes.push(`${impls.map((i) => NAMES[i]).join(" and ")} not measured: ${why}`);
    for (const impl of impls) skipped[impl] = why;
    for (const set of measured.values()) for (const impl of impls) set.delete(impl);
  };

  const binaries: Partial<Record<Layout["bench"], string>> = {};
  for (const bench of new Set(options.layouts.map((l) => l.bench))) {
    const built = prepareC(options.references, join(options.root, "bench/reference", bench === "pingpong" ? "pingpong.c" : "collectives.c"));
    if ("binary" in built) binaries[bench] = built.binary;
    else {
      dropEverywhere(["ompi-c"], built.why);
      break;
    }
  }

  // The probes: wire-up and placement, before anything is timed.
  const placements: Placement[] = [];
  for (const layout of options.layouts) {
    for (const impl of [...measured.get(layout)!]) {
      if (!measured.get(layout)!.has(impl)) continue;
      progress(`probe ${layout.id}: ${impl}`);
      const outcome = await runJob(job(layout, impl, isTsmpi(impl) ? [PROBE_TSMPI] : PROBE_OMPI, false));
      if ("why" in outcome) {
        if (outcome.unsupported === "--auth") dropEverywhere(["tsmpi-noauth"], outcome.why);
        else if (outcome.unsupported !== undefined) dropEverywhere(["tsmpi", "tsmpi-noauth"], outcome.why);
        else {
          notes.push(`${NAMES[impl]} not measured at ${layout.id}: the placement probe failed: ${outcome.why}`);
          measured.get(layout)!.delete(impl);
        }
        continue;
      }
      const hosts = probedHosts(impl, outcome.stdout);
      const expected = expectedHosts(layout);
      if (hosts.length !== expected.length || [...hosts].sort().join() !== [...expected].sort().join()) {
        notes.push(`${NAMES[impl]} not measured at ${layout.id}: ranks ran on ${hosts.join(",") || "(no answer)"}, not ${layout.perHost} per host of ${layout.hosts.join(",")}`);
        measured.get(layout)!.delete(impl);
        continue;
      }
      if (hosts.join() !== expected.join()) notes.push(`${NAMES[impl]} at ${layout.id} placed ranks as ${hosts.join(",")} (Open MPI: by slot, ${expected.join(",")})`);
      placements.push({ layout: layout.id, impl, hosts });
    }
  }

  const commandOf = (layout: Layout, impl: Impl): string[] => {
    if (layout.bench === "pingpong") {
      const args = pingpongArgs(options.quick, options.reps.pingpong, options.pin);
      return impl === "ompi-c" ? [binaries.pingpong!, ...pingpongReferenceArgs(args)] : ["bench/pingpong/tsmpi-pingpong.ts", ...args];
    }
    const args = [`--cases=${encodeCases(allreducePlan(ranksOf(layout), options.quick))}`, `--reps=${options.reps.allreduce}`, `--pin=${options.pin}`];
    return impl === "ompi-c" ? [binaries.allreduce!, ...args] : ["bench/collectives/tsmpi-collectives.ts", ...args];
  };

  const cells = new Map<string, Cell>();
  const pool = (layout: Layout, impl: Impl, metric: Metric, label: string, bytes: number, samples: readonly number[], checkFailed = false): void => {
    const key = `${layout.id}/${impl}/${metric}/${label}`;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = { layout: layout.id, impl, metric, label, bytes, samples: [], roundMedians: [], checkFailed: false };
      cells.set(key, cell);
    }
    if (samples.length === 0) return;
    cell.samples.push(...samples);
    cell.roundMedians.push(median(samples));
    cell.checkFailed ||= checkFailed;
  };
  const record = (layout: Layout, impl: Impl, outcome: { stdout: string }): string | undefined => {
    if (layout.bench === "pingpong") {
      const result = jsonLines<ProgramResult>(outcome.stdout)[0];
      if (result === undefined) return "printed no result";
      for (const c of result.cases) {
        pool(layout, impl, "latency", c.label, c.bytes, c.latencyUs);
        pool(layout, impl, "bandwidth", c.label, c.bytes, c.bandwidth);
      }
      return undefined;
    }
    const lines = jsonLines<ResultLine>(outcome.stdout);
    if (lines.length === 0) return "printed no result";
    for (const line of lines) pool(layout, impl, "allreduce", allreduceLabel(line.count), line.count * 8, line.samples_us, line.check !== "ok");
    return undefined;
  };

  // Every command the first round runs, and those it would run had nothing been skipped.
  const commands = options.layouts.flatMap((layout) =>
    IMPLS.filter((impl) => impl !== "ompi-c" || binaries[layout.bench] !== undefined).map((impl) => ({
      layout: layout.id,
      impl,
      command: commandLine(job(layout, impl, commandOf(layout, impl))),
      ran: measured.get(layout)!.has(impl),
    })),
  );
  const watch = new SourceWatch(options.root);
  let roundsRun = 0;
  let roundSeconds = 0;
  for (let round = 1; round <= options.rounds; round++) {
    if (round > 1 && elapsed() + roundSeconds > options.budgetSeconds) {
      notes.push(`to stay within ${options.budgetSeconds.toFixed(0)} s: ${roundsRun} round(s) instead of ${options.rounds}`);
      break;
    }
    const roundStarted = performance.now();
    for (const layout of options.layouts) {
      const impls = [...measured.get(layout)!];
      // Rotate who goes first, so that no implementation always gets the freshest machine.
      for (const impl of impls.map((_, i) => impls[(i + round - 1) % impls.length]!)) {
        progress(`round ${round}/${options.rounds} ${layout.id}: ${impl}`);
        const outcome: JobOutcome = await runJob(job(layout, impl, commandOf(layout, impl)));
        if (isTsmpi(impl)) watch.check();
        const failed = "why" in outcome ? outcome.why : record(layout, impl, outcome);
        if (failed !== undefined) {
          const note = `${NAMES[impl]} ${layout.id} round ${round}: ${failed}`;
          notes.push(note);
          progress(`  ${note}`);
        }
      }
    }
    roundsRun = round;
    roundSeconds = (performance.now() - roundStarted) / 1000;
  }
  if (watch.fingerprints.size > 1) notes.push(`packages/*/src changed during the run (${[...watch.fingerprints].join(" → ")}): tsmpi figures mix versions`);

  return {
    measured: Object.fromEntries([...measured].map(([layout, set]) => [layout.id, IMPLS.filter((i) => set.has(i))])),
    skipped,
    placements,
    commands,
    cells: [...cells.values()],
    notes,
    roundsRun,
    fingerprints: [...watch.fingerprints],
    seconds: elapsed(),
  };
}

/** Rank r's host from a probe's output: tsmpi-where.ts's JSON line, or Open MPI's "rank host" lines. */
function probedHosts(impl: Impl, stdout: string): string[] {
  if (isTsmpi(impl)) return jsonLines<{ hosts: string[] }>(stdout)[0]?.hosts ?? [];
  const byRank: string[] = [];
  for (const line of stdout.split("\n")) {
    const [rank, host] = line.trim().split(/\s+/);
    if (rank !== undefined && host !== undefined && /^\d+$/.test(rank)) byRank[Number(rank)] = host;
  }
  return byRank;
}
