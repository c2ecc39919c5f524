/**
 * Part "multihost": tsmpi between hosts over tcp, with CURVE authentication (its default across
 * hosts) and with `--auth none`, beside C + Open MPI over its tcp transport, all in one run, on the
 * three-host test cluster of test/cluster/up.sh (through bench/multihost/suite.ts): ping-pong half
 * round trip (and streaming bandwidth) of 8 B, 64 KiB and 1 MiB Float64Arrays between 2 hosts, and
 * allreduce of 8 B and 1 MiB of float64 across 3 hosts, one rank per host and (full run only) two.
 * Reported as ratios of medians tsmpi / Open MPI; target: the 1 MiB allreduce across 3 hosts within
 * 2x Open MPI. When the cluster is not up, the part is one note (the CI runs have no cluster).
 */
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { loadNow } from "../lib/machine.ts";
import { busyAtStart } from "../lib/program-runs.ts";
import { writeCells } from "../lib/results-file.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";
import { judge, verdictMark } from "../report/targets.ts";
import type { BenchPart, PartOptions, PartResult, TargetResult } from "../report/part.ts";
import { findCluster } from "./cluster.ts";
import { ALLREDUCE_3, ALLREDUCE_6, IMPLS, layoutLabel, NAMES, PINGPONG, ranksOf, type Impl, type Layout } from "./plan.ts";
import { runMultihostSuite, type Cell, type Metric, type SuiteResult } from "./suite.ts";

const TARGET_ID = "allreduce-1mib-3hosts";
const TARGET_TEXT = "1 MiB float64 allreduce across 3 hosts (one rank each) within 2x Open MPI C over tcp";

export const part: BenchPart = {
  name: "multihost",
  title: "Multi-host: ping-pong and allreduce between hosts over tcp",
  async run(options: PartOptions): Promise<PartResult> {
    const cluster = await findCluster(options.root);
    if ("why" in cluster) {
      return {
        method: ["not run (see the notes)"],
        sections: [],
        charts: [],
        targets: [{ id: TARGET_ID, verdict: "not measured", figures: `part multihost not run: ${cluster.why}` }],
        notes: [`skipped: ${cluster.why}`],
      };
    }
    const loadAtStart = loadNow();
    const layouts = options.quick ? [PINGPONG, ALLREDUCE_3] : [PINGPONG, ALLREDUCE_3, ALLREDUCE_6];
    const reps = options.quick ? { pingpong: 2, allreduce: 3 } : { pingpong: 3, allreduce: 5 };
    const result = await runMultihostSuite({
      root: options.root,
      cluster,
      references: options.references,
      layouts,
      rounds: options.quick ? 1 : 3,
      quick: options.quick,
      pin: options.pin,
      reps,
      timeoutSeconds: options.quick ? 60 : 180,
      // Leave room for the round in flight when the estimate is passed.
      budgetSeconds: options.budgetSeconds * 0.9,
    });

    const file = join(options.outDir, "multihost", "samples.json");
    const { cells, ...rest } = result;
    writeCells(file, rest, cells);
    const target = allreduceTarget(result);
    const cpus = availableParallelism();
    const oversubscribed = layouts.map(ranksOf).filter((np) => np > cpus);
    return {
      method: [
        `hosts: network namespaces n1..n3 of this machine (test/cluster/up.sh) on one bridge, reached over ssh (${cluster.sshCommand}); they share its ${cpus} cpus${oversubscribed.length > 0 ? `, so n = ${oversubscribed.join(" and n = ")} oversubscribe it` : ""}, and every message crosses the kernel's veth bridge, not a wire: the figures compare software stacks over tcp, not networks`,
        `${result.roundsRun} round(s) of ${IMPLS.map((i) => NAMES[i]).join(", ")}, order rotating each round; ${reps.pingpong} samples per ping-pong run, ${reps.allreduce} per allreduce run; ${result.seconds.toFixed(0)} s`,
        "ping-pong: bench/pingpong's programs and plan (half round trip: each sample the median of one repetition's round trips; bandwidth: rank 0 isends a window, rank 1 acks once; MB/s = 1e6 bytes/s); allreduce: bench/collectives' programs and plan (a sample: barrier, then `iterations` calls; mean per call, the slowest rank's; one more call checked against the closed form)",
        "tsmpi: `tsmpirun --host HOSTS --ssh-command SSH [--auth none] -n N` from this machine (`n1:2,...` for two ranks per host); Open MPI: `mpirun --host HOSTS --bind-to none --mca btl tcp,self` (`tcp,vader,self` with two ranks per host) `--mca plm_rsh_agent SSH --mca oob_tcp_if_include / btl_tcp_if_include 10.201.0.0/24`, and `--mca mpi_yield_when_idle 1` above " +
          `${cpus} ranks (the hosts share the cpus, which Open MPI cannot see: bound by default, each host's first rank lands on cpu 0, and busy-polling ranks on one cpu take turns in scheduler ticks; see bench/multihost/jobs.ts)`,
        `placements probed before timing: ${result.placements.map((p) => `${p.layout} ${NAMES[p.impl]}: ${p.hosts.join(",")}`).join("; ") || "none"}`,
      ],
      sections: [
        { title: `Ping-pong half round trip (us), ${layoutLabel(PINGPONG)}`, markdown: table(result, "latency", [PINGPONG]) },
        { title: `Ping-pong streaming bandwidth (MB/s), ${layoutLabel(PINGPONG)}`, markdown: table(result, "bandwidth", [PINGPONG]) },
        { title: "Allreduce of float64, time per call (us), median (min–max)", markdown: table(result, "allreduce", layouts.filter((l) => l.bench === "allreduce")) },
        { title: "Target", markdown: `| target | figures | verdict |\n| --- | --- | --- |\n| ${TARGET_TEXT} | ${target.figures} | ${verdictMark(target.verdict)} |` },
        {
          title: "Commands (first round)",
          markdown: result.commands.map((c) => `- ${c.layout} ${NAMES[c.impl]}${c.ran ? "" : " (not run)"}: \`${c.command}\``).join("\n"),
        },
      ],
      charts: [],
      targets: [target],
      notes: [
        ...result.notes,
        ...wrongResults(result),
        ...(options.quick ? [`--quick: ${layoutLabel(ALLREDUCE_6)} not run`] : []),
        ...(busyAtStart(loadAtStart, cpus)
          ? [`the machine was busy at the start (load average ${loadAtStart} on ${cpus} cpus, which all three hosts share): rerun when it is quieter to confirm`]
          : []),
      ],
      files: [relative(options.root, file)],
      versions: options.references.mpirun.ok ? { "Open MPI": options.references.mpirun.version } : {},
    };
  },
};

const cellOf = (result: SuiteResult, layout: Layout, impl: Impl, metric: Metric, label: string): Cell | undefined =>
  result.cells.find((c) => c.layout === layout.id && c.impl === impl && c.metric === metric && c.label === label);
const med = (cell: Cell | undefined): number => (cell === undefined || cell.samples.length === 0 ? Number.NaN : median(cell.samples));

/** Medians with spread per implementation, then tsmpi / Open MPI for both tsmpi setups, and what CURVE costs. */
function table(result: SuiteResult, metric: Metric, layouts: readonly Layout[]): string {
  const head = ["hosts x ranks", "payload", ...IMPLS.map((i) => NAMES[i]), "tsmpi / Open MPI", "--auth none / Open MPI", "CURVE / --auth none"];
  const rows = [`| ${head.join(" | ")} |`, `| --- | --- | ${head.slice(2).map(() => "---:").join(" | ")} |`];
  for (const layout of layouts) {
    const labels = [...new Set(result.cells.filter((c) => c.layout === layout.id && c.metric === metric).map((c) => c.label))];
    if (labels.length === 0) rows.push(`| ${layout.id} | – | ${IMPLS.map(() => "not measured").join(" | ")} | – | – | – |`);
    for (const label of labels) {
      const cell = (impl: Impl): Cell | undefined => cellOf(result, layout, impl, metric, label);
      const text = (impl: Impl): string => {
        const c = cell(impl);
        return c === undefined || c.samples.length === 0 ? "–" : `${spread(c.samples)}${c.checkFailed ? " **WRONG**" : ""}`;
      };
      const [t, n, o] = [med(cell("tsmpi")), med(cell("tsmpi-noauth")), med(cell("ompi-c"))];
      rows.push(`| ${[layout.id, label, ...IMPLS.map(text), ratio(t, o), ratio(n, o), ratio(t, n)].join(" | ")} |`);
    }
  }
  return rows.join("\n");
}

/** The 1 MiB allreduce at 3 hosts x 1 rank: tsmpi with CURVE (its default) against Open MPI; --auth none beside it. */
function allreduceTarget(result: SuiteResult): TargetResult {
  const at = (impl: Impl): number => med(cellOf(result, ALLREDUCE_3, impl, "allreduce", "1 MiB"));
  const [t, n, o] = [at("tsmpi"), at("tsmpi-noauth"), at("ompi-c")];
  const side = (impl: Impl, value: number): string =>
    Number.isFinite(value) ? `${NAMES[impl]} ${fmt(value)} us` : `${NAMES[impl]} not measured (${result.skipped[impl] ?? "see the notes"})`;
  return judge(TARGET_ID, t, o, 2, "at most", (r) => `${side("tsmpi", t)}, ${side("ompi-c", o)}: ${r} (limit 2x); ${side("tsmpi-noauth", n)}${Number.isFinite(n) ? ` (${ratio(n, o)})` : ""}`);
}

function wrongResults(result: SuiteResult): string[] {
  const wrong = result.cells.filter((c) => c.checkFailed).map((c) => `${NAMES[c.impl]} ${c.layout} allreduce ${c.label}`);
  return wrong.length > 0 ? [`**wrong results** (check against the closed form failed): ${wrong.join(", ")}`] : [];
}
