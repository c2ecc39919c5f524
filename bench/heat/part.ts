/**
 * Part "heat" of `pnpm bench`: programs/heat.ts's time per step against rank count, tsmpi p2p,
 * shared and darray beside C + Open MPI and mpi4py + numpy, through bench/heat/suite.ts (the same
 * measurement as the command line bench/heat/run.ts), with every run's final-field checksum compared.
 *
 * Full: 2048 x 2048 at n = 1, 2, 4, 8, 16, up to 3 rounds (cut to fit the part's budget, never below
 * one per n). Quick: 512 x 512 at n = 1, 2, 3 rounds. Targets (issue 5), judged on tsmpi p2p, heat.ts's
 * default variant: heat-n2-c (n = 2 within 1.5x of C + Open MPI) and heat-mpi4py (faster than
 * mpi4py + numpy at every n). A checksum disagreement withholds both verdicts and says so.
 */
import { join, relative } from "node:path";
import { writeCells } from "../lib/results-file.ts";
import { fmt, median } from "../lib/stats.ts";
import { judge } from "../report/targets.ts";
import type { BenchPart, Chart, PartOptions, PartResult, Series, TargetResult } from "../report/part.ts";
import { checksumText, FULL_PLAN, heatMethod, heatTable, IMPLS, medianMs, NAMES, QUICK_PLAN, runHeatSuite, type HeatSuiteResult, type Impl } from "./suite.ts";

/** The rank counts of issue 5 ("at every n"). */
const EVERY_N = FULL_PLAN.nps;
/** Chart styles: the three tsmpi variants are all tsmpi blue by name; tell them apart. */
const STYLE: Partial<Record<Impl, Pick<Series, "color" | "dashed">>> = {
  "tsmpi-shared": { color: "#6baed6", dashed: true },
  "tsmpi-darray": { color: "#08306b", dashed: true },
};

export const part: BenchPart = {
  name: "heat",
  title: "Heat equation: heat.ts time per step against rank count",
  async run(options: PartOptions): Promise<PartResult> {
    const plan = options.quick ? { ...QUICK_PLAN, rounds: 3, reps: 3 } : FULL_PLAN;
    const result = await runHeatSuite({
      root: options.root,
      plan,
      references: options.references,
      timeoutSeconds: options.quick ? 60 : 180,
      // Leave room for the program runs of a round in flight when the estimate is passed.
      budgetSeconds: options.budgetSeconds * 0.9,
    });

    const notes = [...result.notes];
    if (result.checksums.mismatch) notes.unshift(`${checksumText(result)}: the timings below are of different computations, and no target is judged`);
    if (options.pin === "spread") notes.push("--pin does not apply here: the heat programs do not pin themselves; every implementation ran unbound");
    const dir = join(options.outDir, "heat");
    const file = join(dir, "samples.json");
    const { cells, ...rest } = result;
    writeCells(file, rest, cells);

    const nps = result.plan.nps;
    const chart: Chart = {
      id: "heat",
      title: `heat.ts time per step (${result.plan.nx} x ${result.plan.ny}) against rank count`,
      x: { label: "ranks (n)", ticks: nps.map((n) => ({ value: n, label: String(n) })) },
      y: { label: "ms per step" },
      series: IMPLS.filter((impl) => result.impls.includes(impl)).map((impl) => ({
        name: NAMES[impl],
        ...STYLE[impl],
        points: nps.flatMap((np) => {
          const samples = result.cells.find((c) => c.np === np && c.impl === impl)?.samples ?? [];
          return samples.length === 0 ? [] : [{ x: np, y: median(samples), low: Math.min(...samples), high: Math.max(...samples) }];
        }),
      })),
      caption: `medians; whiskers min–max; lower is better; 2 cores, n > 2 oversubscribed${result.checksums.mismatch ? "; CHECKSUM MISMATCH: see the notes" : ""}`,
    };

    return {
      method: [...heatMethod(result), checksumText(result)],
      sections: [
        {
          title: `Time per step (ms), ${result.plan.nx} x ${result.plan.ny}, median (min–max)`,
          markdown: `${result.checksums.mismatch ? `${checksumText(result)}\n\n` : ""}${heatTable(result)}`,
        },
      ],
      charts: [chart],
      targets: [n2Target(result), mpi4pyTarget(result), n16Target(result)],
      notes,
      files: [relative(options.root, file)],
      versions: options.references.mpi4py.ok ? { "mpi4py + numpy": options.references.mpi4py.version } : {},
    };
  },
};

const why = (result: HeatSuiteResult, impl: Impl): string =>
  result.notes.find((n) => n.startsWith(`${NAMES[impl]} not measured`)) ?? `${NAMES[impl]} failed every run (see the notes)`;

/** A checksum disagreement: the ratio is kept in the figures, the verdict withheld. */
function guarded(result: HeatSuiteResult, target: TargetResult): TargetResult {
  if (!result.checksums.mismatch) return target;
  return { ...target, verdict: "not measured", figures: `**CHECKSUM MISMATCH** (the implementations did not compute the same field; see the notes): not judged. Figures as measured: ${target.figures}` };
}

/** heat-n2-c: tsmpi p2p at n = 2 within 1.5x of C + Open MPI. */
function n2Target(result: HeatSuiteResult): TargetResult {
  const id = "heat-n2-c";
  const { nx, ny } = result.plan;
  const t = medianMs(result, 2, "tsmpi-p2p");
  const c = medianMs(result, 2, "ompi-c");
  const grid = `${nx} x ${ny}${nx === 2048 && ny === 2048 ? "" : " (--quick: the target's grid is 2048 x 2048)"}`;
  const tText = Number.isFinite(t) ? `tsmpi p2p ${fmt(t)} ms` : result.plan.nps.includes(2) ? "tsmpi p2p failed (see the notes)" : "n = 2 not run";
  const cText = Number.isFinite(c) ? `C + Open MPI ${fmt(c)} ms` : why(result, "ompi-c");
  const others = (["tsmpi-shared", "tsmpi-darray"] as const)
    .filter((impl) => Number.isFinite(medianMs(result, 2, impl)) && Number.isFinite(c))
    .map((impl) => `${NAMES[impl]} ${(medianMs(result, 2, impl) / c).toFixed(2)}x`);
  return guarded(
    result,
    judge(id, t, c, 1.5, "at most", (r) => `n = 2, ${grid}: ${tText}, ${cText}: ${r} (limit 1.5x)${others.length > 0 ? `; beside it ${others.join(", ")}` : ""}`),
  );
}

/** heat-n16-c (issue 12): tsmpi p2p at n = 16, oversubscribed on this machine, within 1.3x of C + Open MPI. */
function n16Target(result: HeatSuiteResult): TargetResult {
  const id = "heat-n16-c";
  const { nx, ny } = result.plan;
  const t = medianMs(result, 16, "tsmpi-p2p");
  const c = medianMs(result, 16, "ompi-c");
  const grid = `${nx} x ${ny}${nx === 2048 && ny === 2048 ? "" : " (--quick: the target's grid is 2048 x 2048)"}`;
  const judged = judge(id, t, c, 1.3, "at most", (r) => `n = 16, ${grid}: tsmpi p2p ${fmt(t)} ms, C + Open MPI ${Number.isFinite(c) ? `${fmt(c)} ms` : why(result, "ompi-c")}: ${r} (limit 1.3x)`);
  return guarded(result, nx === 2048 && ny === 2048 ? judged : { ...judged, verdict: "not measured" });
}

/** heat-mpi4py: tsmpi p2p faster than mpi4py + numpy at every n (1, 2, 4, 8, 16). */
function mpi4pyTarget(result: HeatSuiteResult): TargetResult {
  const id = "heat-mpi4py";
  const nps = result.plan.nps;
  const pairs = nps
    .map((np) => ({ np, t: medianMs(result, np, "tsmpi-p2p"), p: medianMs(result, np, "mpi4py") }))
    .filter((x) => Number.isFinite(x.t) && Number.isFinite(x.p) && x.p > 0);
  if (pairs.length === 0) {
    const missing = result.impls.includes("mpi4py") ? "no n where both tsmpi p2p and mpi4py + numpy finished (see the notes)" : why(result, "mpi4py");
    return judge(id, Number.NaN, Number.NaN, 1, "at most", () => missing);
  }
  // The worst n decides: judge on it, strictly faster.
  const worst = pairs.reduce((a, b) => (b.t / b.p > a.t / a.p ? b : a));
  const unmeasured = EVERY_N.filter((np) => !pairs.some((x) => x.np === np));
  const each = pairs.map((x) => `n=${x.np} ${(x.t / x.p).toFixed(2)}x`).join(", ");
  const slower = pairs.filter((x) => x.t >= x.p).map((x) => x.np);
  const coverage = unmeasured.length === 0 ? "" : `; n = ${unmeasured.join(", ")} ${unmeasured.every((np) => !nps.includes(np)) ? "not run (--quick)" : "not measured"}`;
  const verdictOf = judge(id, worst.t, worst.p, 1, "at most", (r) => `tsmpi p2p / mpi4py + numpy: ${each}; worst n=${worst.np}: ${fmt(worst.t)} ms vs ${fmt(worst.p)} ms = ${r} (must be below 1x)${coverage}`);
  // Slower anywhere is a miss whatever was not run; "met" needs every n.
  const verdict = slower.length > 0 ? "missed" : unmeasured.length > 0 ? "not measured" : verdictOf.verdict;
  return guarded(result, { ...verdictOf, verdict });
}
