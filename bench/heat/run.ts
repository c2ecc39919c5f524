/**
 * Heat benchmark (issues 4 and 5), command line: programs/heat.ts's time per step on a 2048 x 2048
 * grid at n = 1, 2, 4, 8, 16, for tsmpi p2p, shared and darray, beside the same algorithm in C + Open
 * MPI (bench/reference/heat.c) and mpi4py + numpy (bench/reference/heat.py), in one run: interleaved
 * rounds with the order rotating, medians with spread, ratios within the run (bench/heat/suite.ts
 * measures; `pnpm bench` runs the same through bench/heat/part.ts). Every program ends with a
 * checksum of the final field (row-major sum and SHA-256 of its bits); all of them must agree (the
 * field is bitwise the same for every implementation and rank count), a mismatch is reported loudly
 * and the run exits 1. Progress on stderr; writes bench/results/heat.md and heat.json (every sample).
 *
 *   node --import tsx bench/heat/run.ts            full run (2-3 minutes on 2 cores)
 *   node --import tsx bench/heat/run.ts --quick    n = 1, 2 on 512 x 512, one round (~5 s)
 *   options: --np=1,2 --rounds=N --nx=N --ny=N --warmup=N --steps=N --reps=N
 *            --only=tsmpi-p2p,tsmpi-shared,tsmpi-darray,ompi-c,mpi4py --out=FILE (.md; .json beside it)
 *
 * A sample is the mean time per step over `steps` steps between two barriers, on rank 0, after
 * `warmup` steps; each program run gives `reps` samples. Every tsmpi variant runs
 * bench/heat/tsmpi-heat.ts (the HaloP2P, SharedHeat and DArrayHeat classes heat.ts runs).
 */
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResults } from "../lib/results-file.ts";
import { describeMachine, progress } from "../lib/machine.ts";
import { ratio } from "../lib/stats.ts";
import { PYTHON } from "../reference/references.ts";
import { checksumText, FULL_PLAN, heatMethod, heatTable, IMPLS, medianMs, NAMES, QUICK_PLAN, runHeatSuite, type HeatSuiteResult, type Impl } from "./suite.ts";
import { cliOptions } from "../lib/cli.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argv = process.argv.slice(2);
const { option, value, integer: numberOption } = cliOptions(argv);

const quick = option("quick") !== undefined;
const base = quick ? QUICK_PLAN : FULL_PLAN;
const nx = numberOption("nx", base.nx);
const wanted = (value("only")?.split(",") ?? IMPLS) as Impl[];
for (const impl of wanted) if (!IMPLS.includes(impl)) throw new Error(`--only takes ${IMPLS.join(", ")}; got ${impl}`);
const plan = {
  nps: value("np")?.split(",").map(Number) ?? base.nps,
  nx,
  ny: numberOption("ny", value("nx") !== undefined ? nx : base.ny),
  warmup: numberOption("warmup", base.warmup),
  steps: numberOption("steps", base.steps),
  reps: numberOption("reps", base.reps),
  rounds: numberOption("rounds", base.rounds),
  impls: wanted,
};
const out = resolve(root, value("out") ?? "bench/results/heat.md");

const result = await runHeatSuite({ root, plan, timeoutSeconds: quick ? 60 : 180 });

/** Issue 4's and 5's targets, judged on tsmpi p2p (heat.ts's default variant); shared and darray beside it. */
function verdicts(r: HeatSuiteResult): string[] {
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? "not measured" : ok ? "met" : "NOT met");
  const known = (...xs: number[]): boolean => xs.every(Number.isFinite);
  const lines: string[] = [];
  for (const impl of r.impls.filter((i) => i.startsWith("tsmpi"))) {
    const t2 = medianMs(r, 2, impl);
    const c2 = medianMs(r, 2, "ompi-c");
    lines.push(`- ${NAMES[impl]} at n = 2 within 1.5x of C + Open MPI: ${ratio(t2, c2)}: ${verdict(known(t2, c2) ? t2 <= 1.5 * c2 : undefined)}`);
    const measured = r.plan.nps.filter((np) => known(medianMs(r, np, impl), medianMs(r, np, "mpi4py")));
    const slower = measured.filter((np) => medianMs(r, np, impl) >= medianMs(r, np, "mpi4py"));
    lines.push(
      `- ${NAMES[impl]} faster than mpi4py + numpy at every n: ${measured.length === 0 ? "not measured" : slower.length === 0 ? `met (n = ${measured.join(", ")})` : `NOT met at n = ${slower.join(", ")}`}`,
    );
  }
  lines.push(`- ${checksumText(r)}`);
  return lines;
}

const refLine = (ref: { ok: true; version: string } | { ok: false; why: string }): string => (ref.ok ? ref.version : ref.why);
const command = `node --import tsx bench/heat/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const table = heatTable(result);
const target = verdicts(result);
const { references } = result;
const report = `# Heat equation: time per step, tsmpi vs C + Open MPI and mpi4py + numpy

Reproduce (from the repository root): \`${command}\`
(references: \`bash bench/reference/install.sh\`; a missing one is skipped with a note)

- machine: ${describeMachine(result.facts, result.loadAtEnd)} (other work on this shared machine shows up as load and as outliers; the load at the end includes this run's own ranks; 2 cores, so n > 2 is oversubscribed)
- references: ${refLine(references.mpirun)}; ${refLine(references.mpicc)} (\`mpicc -O2\`); ${refLine(references.mpi4py)} (${PYTHON})
${heatMethod(result).map((line) => `- ${line}`).join("\n")}
- the stencil loop as programs/heat/stencil.ts has it since bench/results/heat-stencil.md (constants hoisted, row values carried: 1.5-1.7x)

${table}

${target.join("\n")}
${result.notes.length > 0 ? `\nNotes:\n${result.notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;

const { cells, ...rest } = result;
const jsonOut = writeResults(out, report, { command, ...rest }, cells);
process.stdout.write(`${table}\n\n${target.join("\n")}\n${result.notes.map((n) => `- ${n}`).join("\n")}\n`);
progress(`wrote ${relative(root, out)} and ${relative(root, jsonOut)} (${result.seconds.toFixed(1)} s)`);
if (result.checksums.mismatch) process.exit(1);
