/**
 * The whole benchmark suite (issue 5) in one command: installs the references when it can, runs the
 * parts in order (pingpong, collectives, heat, pi, launch: bench/<part>/part.ts, listed in
 * bench/report/parts.ts), prints progress on stderr (`[elapsed part] case`), and writes REPORT.md,
 * one SVG plot per chart under plots/, and run.json (every figure behind them) to bench/results
 * (bench/results/quick for --quick, so that a CI-sized run never overwrites the full report). A part that fails becomes a note in the report;
 * the run goes on and exits 0 (with --strict, 1 if a part failed).
 *
 *   pnpm bench                          full run (under 15 minutes on 2 cores)
 *   pnpm bench --quick                  reduced set, under a minute; no apt-get install
 *   pnpm bench --parts=pingpong,heat    only those parts
 *   options: --pin (rank r on cpu r mod nproc, every implementation) --install --no-install
 *            --out-dir=DIR --strict
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadNow, machineFacts, progress, setProgressPrefix } from "./lib/machine.ts";
import { lineChartSvg } from "./plot/svg.ts";
import { renderReport, type PartRecord } from "./report/markdown.ts";
import { PARTS } from "./report/parts.ts";
import { prepareReferences } from "./report/references.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const NAMES = PARTS.map((p) => p.part.name);
const USAGE = `usage: pnpm bench [--quick] [--parts=${NAMES.join(",")}] [--pin] [--install|--no-install] [--out-dir=DIR] [--strict]`;
const KNOWN = ["--quick", "--pin", "--install", "--no-install", "--strict", "--help", "-h"];
const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
for (const a of argv) {
  if (!KNOWN.includes(a) && !/^--(parts|out-dir)=/.test(a)) {
    process.stderr.write(`bench: unknown option ${a}\n${USAGE}\n`);
    process.exit(2);
  }
}
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const quick = argv.includes("--quick");
const pin = argv.includes("--pin") ? "spread" : "none";
const install = argv.includes("--install") || (!quick && !argv.includes("--no-install"));
const selected = value("parts")?.split(",") ?? NAMES;
for (const name of selected) {
  if (!NAMES.includes(name)) {
    process.stderr.write(`bench: no part named ${name} (parts: ${NAMES.join(", ")})\n`);
    process.exit(2);
  }
}
const outDir = resolve(root, value("out-dir") ?? (quick ? "bench/results/quick" : "bench/results"));
const limitSeconds = quick ? 60 : 900;
const command = `pnpm bench${argv.length > 0 ? ` ${argv.join(" ")}` : ""}   # = node --import tsx bench/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;

const started = performance.now();
let current = "setup";
const elapsed = (): number => (performance.now() - started) / 1000;
setProgressPrefix(() => `[${elapsed().toFixed(0).padStart(4)} s ${current}] `);

const facts = machineFacts(root);
progress(`${quick ? "quick" : "full"} run of ${selected.join(", ")}; load average ${facts.load}; results to ${relative(root, outDir) || "."}`);
current = "references";
const refs = await prepareReferences(root, install);
progress(`references: ${refs.install}`);

const plotsDir = join(outDir, "plots");
mkdirSync(plotsDir, { recursive: true });
const records: PartRecord[] = [];
let failed = 0;
for (const { part, budget } of PARTS) {
  current = part.name;
  const base = { name: part.name, title: part.title, seconds: 0, loadAtStart: "", plots: [] };
  if (!selected.includes(part.name)) {
    records.push({ ...base, status: "not selected" });
    continue;
  }
  const record: PartRecord = { ...base, status: "ok", loadAtStart: loadNow() };
  const partStarted = performance.now();
  progress(`start (aim: ${quick ? budget.quick : budget.full} s)`);
  try {
    record.result = await part.run({
      root,
      quick,
      pin,
      references: refs.references,
      outDir,
      budgetSeconds: quick ? budget.quick : budget.full,
    });
    for (const chart of record.result.charts) {
      const file = join(plotsDir, `${chart.id}.svg`);
      writeFileSync(file, lineChartSvg(chart));
      record.plots.push({ file: relative(outDir, file), title: chart.title });
    }
  } catch (error) {
    failed++;
    record.status = "failed";
    record.why = `${(error as Error).message.split("\n")[0]}`;
    progress(`FAILED: ${(error as Error).stack ?? String(error)}`);
  }
  record.seconds = (performance.now() - partStarted) / 1000;
  progress(`done: ${record.status} in ${record.seconds.toFixed(1)} s`);
  records.push(record);
}

current = "report";
const seconds = elapsed();
const run = {
  command,
  quick,
  date: new Date().toISOString(),
  facts,
  loadAtEnd: loadNow(),
  pin,
  references: refs.references,
  referencesInstall: refs.install,
  python: refs.python,
  parts: records,
  seconds,
  limitSeconds,
} as const;
const reportFile = join(outDir, "REPORT.md");
writeFileSync(reportFile, renderReport(run));
// Every figure behind the report and its charts, to re-plot or compare runs later.
writeFileSync(join(outDir, "run.json"), `${JSON.stringify(run, null, 1)}\n`);
progress(
  `wrote ${relative(root, reportFile)}, ${relative(root, join(outDir, "run.json"))} and ${records.reduce((n, r) => n + r.plots.length, 0)} plot(s) in ${relative(root, plotsDir)}; ${seconds.toFixed(1)} s in all${seconds > limitSeconds ? ` (over the ${limitSeconds} s limit)` : ""}`,
);
setProgressPrefix(undefined);
process.exitCode = argv.includes("--strict") && failed > 0 ? 1 : 0;
