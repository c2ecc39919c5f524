/**
 * Part "collectives": allreduce (1, 1024, 131072 float64), bcast (1 MiB) and barrier against rank
 * count, tsmpi beside Open MPI C and mpi4py (pickled and buffer), through bench/collectives/suite.ts.
 */
import { caseLabel, FULL_NPS, MiB_F64, QUICK_NPS, type CollectiveOp, type Impl } from "./plan.ts";
import { RUNNERS, runCollectivesSuite, type Cell } from "./suite.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";
import { judge } from "../report/targets.ts";
import type { BenchPart, Chart, PartOptions, PartResult, TargetResult } from "../report/part.ts";

const NAMES: Record<Impl, string> = {
  tsmpi: "tsmpi",
  "tsmpi-obj": "tsmpi (object bcast)",
  "ompi-c": "Open MPI C",
  mpi4py: "mpi4py pickle",
  "mpi4py-buf": "mpi4py buffer",
};

export const part: BenchPart = {
  name: "collectives",
  title: "Collectives: allreduce, bcast, barrier against rank count",
  async run(options: PartOptions): Promise<PartResult> {
    const nps = options.quick ? QUICK_NPS : FULL_NPS;
    const refs = options.references;
    const result = await runCollectivesSuite({
      root: options.root,
      nps,
      // Two rounds, not bench:collectives' three: the whole suite must stay under 15 minutes on 2 cores.
      rounds: options.quick ? 1 : 2,
      reps: options.quick ? 3 : 5,
      quick: options.quick,
      pin: options.pin,
      // A missing reference is skipped by the suite itself, with a note.
      runners: RUNNERS,
      timeoutSeconds: options.quick ? 60 : 300,
      tsmpiEnv: {},
    });
    const find = (np: number, impl: Impl, op: string, count: number): Cell | undefined =>
      result.cells.find((c) => c.np === np && c.impl === impl && c.op === op && c.count === count);
    const med = (cell: Cell | undefined): number => (cell === undefined || cell.samples.length === 0 ? Number.NaN : median(cell.samples));
    const text = (cell: Cell | undefined): string =>
      cell === undefined ? "–" : cell.skipped !== undefined ? "skipped" : `${spread(cell.samples)}${cell.checkFailed ? " **WRONG**" : ""}`;
    const impls = (["tsmpi", "ompi-c", "mpi4py", "mpi4py-buf"] as const).filter((i) => i === "tsmpi" || result.cells.some((c) => c.impl === i));

    const head = ["n", "case", ...impls.map((i) => `${NAMES[i]} (us)`), "tsmpi / C", "tsmpi / mpi4py pickle"];
    const rows = [`| ${head.join(" | ")} |`, `| ---: | --- | ${head.slice(2).map(() => "---:").join(" | ")} |`];
    for (const np of nps) {
      for (const c of result.plans[np] ?? []) {
        const variants: Array<[string, Impl]> =
          c.op === "bcast" ? [[`${caseLabel(c.op, c.count)}, buffer`, "tsmpi"], [`${caseLabel(c.op, c.count)}, object`, "tsmpi-obj"]] : [[caseLabel(c.op, c.count), "tsmpi"]];
        for (const [label, tImpl] of variants) {
          const t = find(np, tImpl, c.op, c.count);
          const cells = impls.map((i) => text(i === "tsmpi" ? t : find(np, i, c.op, c.count)));
          rows.push(`| ${[np, label, ...cells, ratio(med(t), med(find(np, "ompi-c", c.op, c.count))), ratio(med(t), med(find(np, "mpi4py", c.op, c.count)))].join(" | ")} |`);
        }
      }
    }

    const cases = result.plans[nps[0]!] ?? [];
    const charts: Chart[] = cases.map((c) => ({
      id: `${c.op}${c.op === "barrier" ? "" : `-${c.count}`}`,
      title: c.op === "barrier" ? "barrier against rank count" : `${caseLabel(c.op, c.count)} against rank count`,
      x: { label: "ranks (n)", ticks: nps.map((n) => ({ value: n, label: String(n) })) },
      y: { label: "microseconds per call (slowest rank)" },
      series: [...impls, ...(c.op === "bcast" ? (["tsmpi-obj"] as const) : [])].map((impl) => ({
        name: NAMES[impl],
        dashed: impl === "tsmpi-obj",
        points: nps.flatMap((np) => {
          const cell = find(np, impl, c.op, c.count);
          return cell === undefined || cell.samples.length === 0 ? [] : [{ x: np, y: median(cell.samples), low: Math.min(...cell.samples), high: Math.max(...cell.samples) }];
        }),
      })),
      caption: `medians; whiskers min–max; lower is better; ${nps.length > 1 ? "" : "one rank count only; "}mpirun --oversubscribe`,
    }));

    /** tsmpi against Open MPI C for one case at one n, within `limit`. */
    const againstC = (at: number, op: CollectiveOp, count: number, id: string, limit: number): TargetResult => {
      const mine = med(find(at, "tsmpi", op, count));
      const c = med(find(at, "ompi-c", op, count));
      const label = op === "barrier" ? "barrier" : caseLabel(op, count);
      return judge(id, mine, c, limit, "at most", (r) => `n = ${at}, ${label}: tsmpi ${fmt(mine)} us, Open MPI C ${fmt(c)} us: ${r} (limit ${limit}x)`);
    };

    // Issue 5: 1 MiB allreduce at n = 16.
    const at16 = nps.includes(16);
    const np = at16 ? 16 : Math.max(...nps);
    const t = med(find(np, "tsmpi", "allreduce", MiB_F64));
    const oc = med(find(np, "ompi-c", "allreduce", MiB_F64));
    const py = med(find(np, "mpi4py", "allreduce", MiB_F64));
    const where = at16 ? "n = 16" : `n = 16 not run (--quick); at n = ${np}`;
    const onlyAt16 = (r: TargetResult): TargetResult => (at16 ? r : { ...r, verdict: "not measured" });
    const targets = [
      onlyAt16(judge("allreduce-1mib-c", t, oc, 2, "at most", (r) => `${where}: tsmpi ${fmt(t)} us, Open MPI C ${fmt(oc)} us: ${r} (limit 2x)`)),
      onlyAt16(judge("allreduce-1mib-mpi4py", t, py, 0.5, "at most", (r) => `${where}: tsmpi ${fmt(t)} us, mpi4py pickle ${fmt(py)} us: ${r} (limit 0.5x)`)),
      // Issue 12.
      againstC(2, "barrier", 0, "barrier-2-c", 5),
      againstC(2, "allreduce", 1, "allreduce-1-n2-c", 5),
      onlyAt16(againstC(np, "barrier", 0, "barrier-16-c", 2)),
      onlyAt16(judge("allreduce-1mib-16-c-1x", t, oc, 1, "at most", (r) => `${where}: tsmpi ${fmt(t)} us, Open MPI C ${fmt(oc)} us: ${r} (limit 1x)`)),
    ];
    const wrong = result.cells.filter((cell) => cell.checkFailed).map((cell) => `${cell.impl} n=${cell.np} ${cell.op} ${cell.count}`);
    const notes = [...result.notes];
    if (wrong.length > 0) notes.push(`**wrong results** (check against the closed form failed): ${wrong.join(", ")}`);
    if (result.fingerprints.length > 1) notes.push(`packages/*/src changed during the run (${result.fingerprints.join(" → ")}): tsmpi figures mix versions`);
    const planText = Object.entries(result.plans)
      .map(([n, plan]) => `n=${n}: ${plan.map((c) => `${c.op === "barrier" ? "barrier" : `${c.op} ${c.count}`} ${c.warmup}+${c.iterations}`).join(", ")}`)
      .join("; ");
    return {
      method: [
        `${result.options.rounds} round(s) per n of ${impls.map((i) => NAMES[i]).join(", ")}, order rotating each round; ${result.options.reps} samples per program run; ${result.seconds.toFixed(0)} s`,
        "a sample: barrier, then `iterations` calls; mean time per call on each rank, the maximum over ranks (IMB's t_max); every program checks one more call against the closed form",
        `warm-up + iterations per sample: ${planText}`,
        `tsmpi: \`launch()\`, the selection table's algorithms; references: \`mpirun --oversubscribe --bind-to none\`${result.singleCopy === false ? ", CMA single copy turned off (it failed here)" : ""}; tsmpi bcast "buffer": non-roots pass a same-size Float64Array, "object": non-roots pass nothing`,
      ],
      sections: [{ title: "Time per call (us), median (min–max)", markdown: rows.join("\n") }],
      charts,
      targets,
      notes,
      files: [],
      versions: refs.mpi4py.ok ? { mpi4py: refs.mpi4py.version } : {},
    };
  },
};
