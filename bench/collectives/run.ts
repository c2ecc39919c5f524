/**
 * Collectives benchmark (issue 3): allreduce SUM of 1, 1024 and 131072 float64, bcast of 1 MiB and
 * barrier at n = 2, 4, 8, 16, for tsmpi beside Open MPI C and mpi4py (pickled lowercase and buffer
 * uppercase) measured in the same run, interleaved. Prints progress on stderr and a markdown table of
 * medians on stdout; writes it, with the command and the machine, to bench/results/collectives.md and
 * every pooled sample to bench/results/collectives.json. A missing reference is skipped with a note
 * (`bash bench/reference/install.sh` installs them).
 *
 *   pnpm bench:collectives                  full run, unpinned, 3 rounds
 *   pnpm bench:collectives --quick          n = 2, 4, fewer iterations, 1 round (< 60 s)
 *   pnpm bench:collectives --pin            rank r on cpu r mod nproc (= --pin=spread); --pin=same: all on cpu 0
 *   pnpm bench:collectives --force=allreduce=ring,bcast=binomial   tsmpi ranks get TSMPI_COLL_ALLREDUCE=ring, ...
 *   options: --np=2,16 --rounds=N --reps=N --only=tsmpi,ompi-c,mpi4py --out=FILE (.md; .json beside it)
 */
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResults } from "../lib/results-file.ts";
import { describeMachine, loadNow, machineFacts, progress } from "../lib/machine.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";
import { caseLabel, FULL_NPS, MiB_F64, QUICK_NPS, type Impl, type PinMode } from "./plan.ts";
import { RUNNERS, runCollectivesSuite, type Cell, type Runner, type SuiteResult } from "./suite.ts";
import { cliOptions } from "../lib/cli.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argv = process.argv.slice(2);
const { option, value } = cliOptions(argv);

const quick = option("quick") !== undefined;
const pin = (option("pin") === undefined ? "none" : (value("pin") ?? "spread")) as PinMode;
if (!["none", "spread", "same"].includes(pin)) throw new Error(`--pin must be spread or same, got ${pin}`);
const runners = (value("only")?.split(",") ?? RUNNERS) as Runner[];
for (const r of runners) if (!RUNNERS.includes(r)) throw new Error(`--only takes ${RUNNERS.join(", ")}; got ${r}`);
const out = resolve(root, value("out") ?? "bench/results/collectives.md");
const nps = value("np")?.split(",").map(Number) ?? (quick ? QUICK_NPS : FULL_NPS);
const facts = machineFacts(root);
const tsmpiEnv = Object.fromEntries(
  (value("force")?.split(",") ?? []).map((pair) => {
    const [collective, algorithm] = pair.split(/[=:]/);
    if (!collective || !algorithm) throw new Error(`--force takes collective=algorithm,..., got ${pair}`);
    return [`TSMPI_COLL_${collective.toUpperCase()}`, algorithm];
  }),
);

const result = await runCollectivesSuite({
  root,
  nps,
  rounds: Number(value("rounds") ?? (quick ? 1 : 3)),
  reps: Number(value("reps") ?? (quick ? 3 : 5)),
  quick,
  pin,
  runners,
  timeoutSeconds: quick ? 120 : 600,
  tsmpiEnv,
});

const find = (np: number, impl: Impl, op: string, count: number): Cell | undefined =>
  result.cells.find((c) => c.np === np && c.impl === impl && c.op === op && c.count === count);
const med = (cell: Cell | undefined): number => (cell === undefined || cell.samples.length === 0 ? Number.NaN : median(cell.samples));
const cellText = (cell: Cell | undefined): string =>
  cell === undefined ? "–" : cell.skipped !== undefined ? "skipped" : `${spread(cell.samples)}${cell.checkFailed ? " **WRONG**" : ""}`;

/** Table rows: each case, plus bcast once more for tsmpi's object path (non-roots pass nothing). */
interface Row {
  label: string;
  tsmpi: Impl;
  op: string;
  count: number;
}
const rowsOf = (np: number): Row[] =>
  (result.plans[np] ?? []).flatMap((c): Row[] =>
    c.op === "bcast"
      ? [
          { label: `${caseLabel(c.op, c.count)}, buffer on every rank`, tsmpi: "tsmpi" as Impl, op: c.op, count: c.count },
          { label: `${caseLabel(c.op, c.count)}, object (non-roots pass nothing)`, tsmpi: "tsmpi-obj" as Impl, op: c.op, count: c.count },
        ]
      : [{ label: caseLabel(c.op, c.count), tsmpi: "tsmpi" as Impl, op: c.op, count: c.count }],
  );

const lines = [
  "| n | case | tsmpi (us) | Open MPI C (us) | mpi4py pickle (us) | mpi4py buffer (us) | tsmpi / C | tsmpi / mpi4py pickle |",
  "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const np of nps) {
  for (const row of rowsOf(np)) {
    const t = find(np, row.tsmpi, row.op, row.count);
    const c = find(np, "ompi-c", row.op, row.count);
    const p = find(np, "mpi4py", row.op, row.count);
    const b = find(np, "mpi4py-buf", row.op, row.count);
    lines.push(
      `| ${np} | ${row.label} | ${cellText(t)} | ${cellText(c)} | ${cellText(p)} | ${cellText(b)} | ${ratio(med(t), med(c))} | ${ratio(med(t), med(p))} |`,
    );
  }
}
const table = lines.join("\n");

/** Issue 3's and issue 5's targets for 1 MiB allreduce, at the largest n measured. */
function verdicts(r: SuiteResult): string[] {
  const np = Math.max(...nps);
  const t = med(find(np, "tsmpi", "allreduce", MiB_F64));
  const c = med(find(np, "ompi-c", "allreduce", MiB_F64));
  const p = med(find(np, "mpi4py", "allreduce", MiB_F64));
  const at = np === 16 ? "n = 16" : `n = ${np} (the targets are for n = 16, not run here)`;
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? "not measured" : ok ? "met" : "NOT met");
  const known = (x: number): boolean => Number.isFinite(x);
  const out = [
    `- 1 MiB allreduce at ${at}: tsmpi ${fmt(t)} us, Open MPI C ${fmt(c)} us, mpi4py pickle ${fmt(p)} us`,
    `- within 2x of Open MPI C (issues 3 and 5): tsmpi / C = ${ratio(t, c)}: ${verdict(known(t) && known(c) ? t / c <= 2 : undefined)}`,
    `- faster than mpi4py's pickled allreduce (issue 3): tsmpi / mpi4py = ${ratio(t, p)}: ${verdict(known(t) && known(p) ? t < p : undefined)}`,
    `- at most half of mpi4py's pickled allreduce (issue 5): ${verdict(known(t) && known(p) ? t <= p / 2 : undefined)}`,
  ];
  const wrong = r.cells.filter((cell) => cell.checkFailed).map((cell) => `${cell.impl} n=${cell.np} ${cell.op} ${cell.count}`);
  if (wrong.length > 0) out.push(`- **wrong results** (check against the closed form failed): ${wrong.join(", ")}`);
  return out;
}

const refLine = (name: string, ref: { ok: true; version: string } | { ok: false; why: string }): string => `${name}: ${ref.ok ? ref.version : ref.why}`;
const planText = Object.entries(result.plans)
  .map(([np, plan]) => `n=${np}: ${plan.map((c) => `${c.op === "barrier" ? "barrier" : `${c.op} ${c.count}`} ${c.warmup}+${c.iterations}`).join(", ")}`)
  .join("; ");
const samplesPerCell = Math.max(0, ...result.cells.map((c) => c.samples.length));
const pinText =
  pin === "none"
    ? "none: the scheduler places every rank (Open MPI with `--bind-to none`)"
    : pin === "spread"
      ? "rank r on cpu r mod nproc, each program pinning itself the same way (tsmpi: `taskset -a -c -p` after init; C and Python: `sched_setaffinity` before MPI_Init; Open MPI with `--bind-to none`)"
      : "every rank on cpu 0 (each program pins itself; Open MPI with `--bind-to none`)";
const command = `pnpm bench:collectives${argv.length > 0 ? ` ${argv.join(" ")}` : ""}   # = node --import tsx bench/collectives/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const target = verdicts(result);
const report = `# Collectives: tsmpi vs Open MPI C and mpi4py

Reproduce (from the repository root): \`${command}\`
(references: \`bash bench/reference/install.sh\`; a missing one is skipped with a note)

- machine: ${describeMachine(facts, loadNow())} (other work on this shared machine shows up as load and as outliers)
- pinning: ${pinText}
- references: ${refLine("Open MPI", result.references.mpirun)}; ${refLine("mpicc", result.references.mpicc).replace("mpicc: mpicc: ", "mpicc: ")}; ${refLine("python", result.references.mpi4py)}; \`mpirun --oversubscribe\` (Open MPI then yields when idle instead of only spinning)${result.singleCopy === false ? "; CMA single copy turned off (it failed here)" : result.singleCopy ? "; CMA single copy works" : ""}
- tsmpi started by \`launch()\` from @tsmpi/launcher (esbuild bundle under plain node), transport ipc; algorithms: ${Object.keys(tsmpiEnv).length === 0 ? "the selection table's (packages/runtime/src/coll/select.ts)" : Object.entries(tsmpiEnv).map(([k, v]) => `\`${k}=${v}\``).join(", ")}
- tsmpi sources (packages/{runtime,launcher}/src) fingerprint ${result.fingerprints.join(" → ")}${result.fingerprints.length > 1 ? " (**changed during the run: tsmpi figures mix versions**)" : ", unchanged during the run"}
- ${result.options.rounds} round(s) per n, interleaved tsmpi, Open MPI C, mpi4py with the order rotating each round; mpi4py runs its pickled and buffer forms back to back in one job; ${result.options.reps} samples per program run, so ${samplesPerCell} samples per cell; ${result.seconds.toFixed(0)} s in all
- a sample: barrier, then \`iterations\` calls; mean time per call on each rank, the maximum over ranks (IMB's t_max); cells are median (min–max) over samples; ratios are of medians
- warm-up + iterations per sample: ${planText}
- every program checks one more call on fresh buffers against the closed form (allreduce: n(n+1)/2 + n(i & 7); bcast: the root's pattern); **WRONG** marks a failed check
- tsmpi bcast, buffer: non-roots pass a same-size Float64Array (the MPI_Bcast shape); object: non-roots pass nothing (compare with mpi4py's pickled \`bcast\`)

${table}

${target.join("\n")}
${result.notes.length > 0 ? `\nNotes:\n${result.notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;

const { cells, ...rest } = result;
const jsonOut = writeResults(out, report, { command, machine: facts, pin, ...rest }, cells);
process.stdout.write(`${table}\n\n${target.join("\n")}\n${result.notes.map((n) => `- ${n}`).join("\n")}\n`);
progress(`wrote ${relative(root, out)} and ${relative(root, jsonOut)} (${result.seconds.toFixed(1)} s)`);
