/**
 * Part "pingpong": latency and streaming bandwidth from 8 B to 4 MiB, tsmpi beside the bare
 * zeromq.js floor, Open MPI C (bench/reference/pingpong.c) and mpi4py (bench/reference/pingpong.py:
 * uppercase numpy buffers, and lowercase pickle, which alone also sends the small object), through
 * bench/pingpong/suite.ts.
 */
import { FULL_SIZES, sizeLabel, type CaseResult } from "./common.ts";
import { runPingpongSuite, type PingpongImpl } from "./suite.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";
import { judge } from "../report/targets.ts";
import type { BenchPart, Chart, PartOptions, PartResult, Series } from "../report/part.ts";

const MiB = 1024 * 1024;
const QUICK_SIZES = [8, 4096, 4 * MiB];
const NAMES: Record<PingpongImpl, string> = {
  tsmpi: "tsmpi",
  zmq: "zeromq.js (floor)",
  "ompi-c": "Open MPI C",
  "mpi4py-buf": "mpi4py buffer",
  mpi4py: "mpi4py pickle",
};
/** The implementations tsmpi gets a ratio against, in column order. */
const RATIO_AGAINST = ["zmq", "ompi-c", "mpi4py-buf", "mpi4py"] as const;

export const part: BenchPart = {
  name: "pingpong",
  title: "Ping-pong: latency and bandwidth against message size",
  async run(options: PartOptions): Promise<PartResult> {
    const sizes = options.quick ? QUICK_SIZES : FULL_SIZES;
    const rounds = options.quick ? 1 : 3;
    // 3, not bench:pingpong's 5: the two mpi4py runs (pickling MiB arrays is slow) would otherwise
    // add half again to the part's time; 3 rounds x 3 keeps 9 samples per cell.
    const reps = options.quick ? 2 : 3;
    const programArgs = [
      ...(options.quick ? ["--quick", "--no-object"] : []),
      `--sizes=${sizes.join(",")}`,
      `--reps=${reps}`,
      ...(options.pin === "spread" ? ["--pin=0,1"] : []),
    ];
    const withC = options.references.mpirun.ok && options.references.mpicc.ok;
    const withPy = options.references.mpirun.ok && options.references.mpi4py.ok;
    const suite = await runPingpongSuite({
      root: options.root,
      rounds,
      programArgs,
      impls: ["tsmpi", "zmq", ...(withC ? (["ompi-c"] as const) : []), ...(withPy ? (["mpi4py-buf", "mpi4py"] as const) : [])],
      timeoutSeconds: options.quick ? 60 : 300,
    });
    const notes = [...suite.notes];
    if (!withC) notes.push(`Open MPI C skipped: ${!options.references.mpirun.ok ? options.references.mpirun.why : !options.references.mpicc.ok ? options.references.mpicc.why : ""}`);
    if (!withPy) notes.push(`mpi4py skipped: ${!options.references.mpirun.ok ? options.references.mpirun.why : !options.references.mpi4py.ok ? options.references.mpi4py.why : ""}`);
    if (withPy && options.quick) notes.push("--quick leaves the small-object row out, so mpi4py pickle is measured on the arrays only");

    const impls = (["tsmpi", "zmq", "ompi-c", "mpi4py-buf", "mpi4py"] as const).filter((i) => suite.pooled[i].size > 0);
    const labels = [...suite.pooled.tsmpi.keys()];
    const cell = (impl: PingpongImpl, label: string): CaseResult | undefined => suite.pooled[impl].get(label);
    const med = (values: readonly number[] | undefined): number => (values === undefined || values.length === 0 ? Number.NaN : median(values));
    const hasC = impls.includes("ompi-c");
    const against = RATIO_AGAINST.filter((i) => i === "zmq" || impls.includes(i));

    const table = (metric: "latencyUs" | "bandwidth"): string => {
      const head = ["payload", ...impls.map((i) => NAMES[i]), ...against.map((i) => `tsmpi / ${NAMES[i].replace(" (floor)", "")}`)];
      const rows = [`| ${head.join(" | ")} |`, `| --- | ${head.slice(1).map(() => "---:").join(" | ")} |`];
      for (const label of labels) {
        const t = med(cell("tsmpi", label)?.[metric]);
        const cells = impls.map((i) => {
          const values = cell(i, label)?.[metric];
          return values === undefined || values.length === 0 ? "–" : spread(values);
        });
        const ratios = against.map((i) => ratio(t, med(cell(i, label)?.[metric])));
        rows.push(`| ${[label, ...cells, ...ratios].join(" | ")} |`);
      }
      return rows.join("\n");
    };

    const chartOf = (metric: "latencyUs" | "bandwidth", id: string, title: string, yLabel: string, better: string): Chart => ({
      id,
      title,
      x: { label: "message size (Float64Array)", ticks: sizes.map((b) => ({ value: b, label: sizeLabel(b).replace(" ", "\u00a0") })) },
      y: { label: yLabel },
      series: impls.map(
        (i): Series => ({
          name: NAMES[i],
          dashed: i === "zmq",
          points: [...suite.pooled[i].values()]
            .filter((c) => c.bytes > 0 && c[metric].length > 0)
            .map((c) => ({ x: c.bytes, y: median(c[metric]), low: Math.min(...c[metric]), high: Math.max(...c[metric]) })),
        }),
      ),
      caption: `medians over ${rounds} round(s) x ${reps} samples; whiskers min–max; ${better}`,
    });

    const t8 = med(cell("tsmpi", "8 B")?.latencyUs);
    const z8 = med(cell("zmq", "8 B")?.latencyUs);
    const t4 = med(cell("tsmpi", "4 MiB")?.bandwidth);
    const c4 = med(cell("ompi-c", "4 MiB")?.bandwidth);
    const z4 = med(cell("zmq", "4 MiB")?.bandwidth);
    const b8 = med(cell("mpi4py-buf", "8 B")?.latencyUs);
    const tObject = med(cell("tsmpi", "object")?.latencyUs);
    const pObject = med(cell("mpi4py", "object")?.latencyUs);
    const pinned = Object.entries(suite.pinnedAs).map(([impl, how]) => `${NAMES[impl as PingpongImpl]} ${how}`).join(", ");
    return {
      method: [
        `${rounds} round(s) of ${impls.map((i) => NAMES[i]).join(", ")}, interleaved; ${reps} samples per program run; ${suite.seconds.toFixed(0)} s`,
        "latency: half round trip, each sample the median of one repetition's round trips; bandwidth: rank 0 isends a window (~32 MiB or 256 messages), rank 1 receives all and acks once; MB/s = 1e6 bytes/s",
        `tsmpi started by ${suite.launcher === "launch" ? "`launch()` (esbuild bundle under plain node), transport ipc" : "packages/runtime/mini-launch.mjs"}; zeromq.js: PUSH/PULL per direction over ipc, one frame per message; Open MPI: \`mpirun --oversubscribe --bind-to none\`, MPI_Send/MPI_Recv and MPI_Isend windows`,
        "mpi4py (bench/reference/pingpong.py, same mpirun, same plan): buffer = uppercase Send/Recv/Isend on numpy uint8 arrays of the payload's size; pickle = lowercase send/recv/isend of a float64 numpy array of that size, or of the small object (the only one that sends it besides tsmpi and zeromq.js)",
        `pinned (rank 0): ${pinned}`,
      ],
      sections: [
        { title: "Latency, half round trip (us)", markdown: table("latencyUs") },
        { title: "Streaming bandwidth (MB/s; object: thousands of messages/s)", markdown: table("bandwidth") },
      ],
      charts: [
        chartOf("latencyUs", "pingpong-latency", "Ping-pong latency (half round trip)", "microseconds", "lower is better"),
        chartOf("bandwidth", "pingpong-bandwidth", "Streaming bandwidth", "MB/s (1e6 bytes/s)", "higher is better"),
      ],
      targets: [
        judge("latency-8b", t8, z8, 1.3, "at most", (r) => `tsmpi ${fmt(t8)} us, zeromq.js ${fmt(z8)} us: ${r} (limit 1.3x)`),
        judge("bandwidth-4mib", t4, c4, 0.5, "at least", (r) =>
          `tsmpi ${fmt(t4)} MB/s, Open MPI C ${hasC ? `${fmt(c4)} MB/s` : "not run"}: ${r} (at least 0.5x); zeromq.js ${fmt(z4)} MB/s`,
        ),
        judge("latency-8b-mpi4py", t8, b8, 2, "at most", (r) => `tsmpi ${fmt(t8)} us, mpi4py buffer ${fmt(b8)} us: ${r} (limit 2x); Open MPI C ${fmt(med(cell("ompi-c", "8 B")?.latencyUs))} us`),
        judge("latency-object-pickle", tObject, pObject, 1, "at most", (r) => `tsmpi ${fmt(tObject)} us, mpi4py pickle ${fmt(pObject)} us: ${r} (limit 1x)`),
        judge("bandwidth-4mib-today", t4, c4, 0.62, "at least", (r) => `tsmpi ${fmt(t4)} MB/s, Open MPI C ${hasC ? `${fmt(c4)} MB/s` : "not run"}: ${r} (at least 0.62x)`),
      ],
      notes,
      versions: {
        ...(suite.references?.mpirun.ok ? { "Open MPI": suite.references.mpirun.version } : {}),
        ...(suite.references?.mpi4py.ok && impls.some((i) => i.startsWith("mpi4py")) ? { mpi4py: suite.references.mpi4py.version } : {}),
      },
    };
  },
};
