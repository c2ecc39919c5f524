/**
 * Pi benchmark (issue 3's "pi.ts time at n = 1, 2, 4, 8, 16"), command line: programs/pi.ts's time
 * for darts and for series, beside the same algorithms in C + Open MPI (bench/reference/pi.c) and
 * mpi4py + numpy (bench/reference/pi.py), in one run: interleaved rounds with the order rotating,
 * medians with spread, ratios within the run (bench/pi/suite.ts measures; `pnpm bench` runs the same
 * through bench/pi/part.ts). Every program prints its result: the darts hit counts must be equal,
 * to the dart, at the same n, the series estimates within 1e-12; a mismatch is reported loudly and
 * the run exits 1. Progress on stderr; writes bench/results/pi.md and pi.json (every sample).
 *
 *   node --import tsx bench/pi/run.ts            full run (1-2 minutes on 2 cores)
 *   node --import tsx bench/pi/run.ts --quick    n = 1, 2 with small N, one round (a few seconds)
 *   options: --np=1,2 --rounds=N --darts=N --terms=N --seed=S --methods=darts,series
 *            --only=tsmpi,ompi-c,mpi4py --out=FILE (.md; .json beside it)
 *
 * A sample is one program run's own time, as pi.ts prints it: from after a barrier to the result
 * on rank 0. tsmpi runs programs/pi.ts itself.
 */
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResults } from "../lib/results-file.ts";
import { describeMachine, progress } from "../lib/machine.ts";
import { PYTHON } from "../reference/references.ts";
import { checkText, FULL_PLAN, IMPLS, METHODS, piMethod, piTable, QUICK_PLAN, resultsTable, runPiSuite, type Impl, type Method } from "./suite.ts";
import { cliOptions } from "../lib/cli.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argv = process.argv.slice(2);
const { option, value, integer: numberOption } = cliOptions(argv);

const quick = option("quick") !== undefined;
const base = quick ? QUICK_PLAN : FULL_PLAN;
const wanted = (value("only")?.split(",") ?? IMPLS) as Impl[];
for (const impl of wanted) if (!IMPLS.includes(impl)) throw new Error(`--only takes ${IMPLS.join(", ")}; got ${impl}`);
const methods = (value("methods")?.split(",") ?? METHODS) as Method[];
for (const method of methods) if (!METHODS.includes(method)) throw new Error(`--methods takes ${METHODS.join(", ")}; got ${method}`);
const plan = {
  nps: value("np")?.split(",").map(Number) ?? base.nps,
  darts: numberOption("darts", base.darts, 1),
  terms: numberOption("terms", base.terms, 1),
  seed: numberOption("seed", base.seed, Number.MIN_SAFE_INTEGER),
  rounds: numberOption("rounds", base.rounds, 1),
  impls: wanted,
  methods,
};
const out = resolve(root, value("out") ?? "bench/results/pi.md");

const result = await runPiSuite({ root, plan, timeoutSeconds: quick ? 60 : 180 });

const refLine = (ref: { ok: true; version: string } | { ok: false; why: string }): string => (ref.ok ? ref.version : ref.why);
const command = `node --import tsx bench/pi/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const table = piTable(result);
const check = checkText(result);
const { references } = result;
const report = `# pi.ts: time per method against rank count, tsmpi vs C + Open MPI and mpi4py + numpy

Reproduce (from the repository root): \`${command}\`
(references: \`bash bench/reference/install.sh\`; a missing one is skipped with a note)

- machine: ${describeMachine(result.facts, result.loadAtEnd)} (other work on this shared machine shows up as load and as outliers; the load at the end includes this run's own ranks; 2 cores, so n > 2 is oversubscribed)
- references: ${refLine(references.mpirun)}; ${refLine(references.mpicc)} (\`mpicc -O2\`); ${refLine(references.mpi4py)} (${PYTHON})
${piMethod(result).map((line) => `- ${line}`).join("\n")}

## Time (ms), median (min–max)

${result.checks.mismatch ? `${check}\n\n` : ""}${table}

## Results

${resultsTable(result)}

${check}
${result.notes.length > 0 ? `\nNotes:\n${result.notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;

const { cells, ...rest } = result;
const jsonOut = writeResults(out, report, { command, ...rest }, cells);
process.stdout.write(`${table}\n\n${check}\n${result.notes.map((n) => `- ${n}`).join("\n")}\n`);
progress(`wrote ${relative(root, out)} and ${relative(root, jsonOut)} (${result.seconds.toFixed(1)} s)`);
if (result.checks.mismatch) process.exit(1);
