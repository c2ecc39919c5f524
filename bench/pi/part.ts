/**
 * Part "pi" of `pnpm bench`: programs/pi.ts's time for darts and for series against rank count,
 * tsmpi beside C + Open MPI and mpi4py + numpy, through bench/pi/suite.ts (the same measurement as
 * the command line bench/pi/run.ts), with every run's result compared: the darts hit counts must be
 * equal to the dart, the series estimates within 1e-12.
 *
 * Full: n = 1, 2, 4, 8, 16, N such that each method takes tsmpi 0.2-0.3 s at n = 1, up to 3
 * rounds (cut to fit the part's budget, never below one per n). Quick: n = 1, 2 with small N, one
 * round (a few seconds, mostly start-up). Issue 5 sets no target on pi.ts: this part reports
 * figures only. A result mismatch is put first in its section and its notes.
 */
import { join, relative } from "node:path";
import { writeCells } from "../lib/results-file.ts";
import { median } from "../lib/stats.ts";
import type { BenchPart, Chart, PartOptions, PartResult } from "../report/part.ts";
import { checkText, FULL_PLAN, IMPLS, NAMES, piMethod, piTable, QUICK_PLAN, resultsTable, runPiSuite } from "./suite.ts";

export const part: BenchPart = {
  name: "pi",
  title: "pi.ts: time per method against rank count",
  async run(options: PartOptions): Promise<PartResult> {
    const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
    const result = await runPiSuite({
      root: options.root,
      plan,
      references: options.references,
      timeoutSeconds: options.quick ? 60 : 180,
      // Leave room for the program runs of a round in flight when the estimate is passed.
      budgetSeconds: options.budgetSeconds * 0.9,
    });

    const check = checkText(result);
    const notes = [...result.notes];
    if (result.checks.mismatch) notes.unshift(`${check}: the timings below are of different computations`);
    if (options.pin === "spread") notes.push("--pin does not apply here: the pi programs do not pin themselves; every implementation ran unbound");
    const dir = join(options.outDir, "pi");
    const file = join(dir, "samples.json");
    const { cells, ...rest } = result;
    writeCells(file, rest, cells);

    const nps = result.plan.nps;
    // One chart: an implementation keeps its colour (by name), series dashed beside darts solid.
    const chart: Chart = {
      id: "pi",
      title: `pi.ts time against rank count (darts N = ${result.plan.darts}, series N = ${result.plan.terms})`,
      x: { label: "ranks (n)", ticks: nps.map((n) => ({ value: n, label: String(n) })) },
      y: { label: "ms (barrier to result on rank 0)" },
      series: result.plan.methods.flatMap((method) =>
        IMPLS.filter((impl) => result.impls.includes(impl)).map((impl) => ({
          name: `${NAMES[impl]} ${method}`,
          dashed: method === "series",
          points: nps.flatMap((np) => {
            const samples = result.cells.find((c) => c.np === np && c.impl === impl && c.method === method)?.samples ?? [];
            return samples.length === 0 ? [] : [{ x: np, y: median(samples), low: Math.min(...samples), high: Math.max(...samples) }];
          }),
        })),
      ),
      caption: `medians; whiskers min–max; lower is better; darts solid, series dashed; 2 cores, n > 2 oversubscribed${result.checks.mismatch ? "; RESULT MISMATCH: see the notes" : ""}`,
    };

    return {
      method: [...piMethod(result), check],
      sections: [
        {
          title: `Time (ms), darts N = ${result.plan.darts}, series N = ${result.plan.terms}, median (min–max)`,
          markdown: `${result.checks.mismatch ? `${check}\n\n` : ""}${piTable(result)}`,
        },
        { title: "Results: darts hits and series estimates at each n", markdown: resultsTable(result) },
      ],
      charts: [chart],
      targets: [],
      notes,
      files: [relative(options.root, file)],
      versions: options.references.mpi4py.ok ? { "mpi4py + numpy": options.references.mpi4py.version } : {},
    };
  },
};
