/**
 * Heat benchmark (issues 4 and 5): programs/heat.ts's time per step on a 2048 x 2048 grid at
 * n = 1, 2, 4, 8, 16, for tsmpi p2p and shared (and darray once heat.ts has it), beside the same
 * algorithm in C + Open MPI (bench/reference/heat.c) and mpi4py + numpy (bench/reference/heat.py),
 * in one run: interleaved rounds with the order rotating, medians with spread, ratios within the
 * run. Every program ends with a checksum of the final field (row-major sum and SHA-256 of its
 * bits); all of them must agree (the field is bitwise the same for every implementation and rank
 * count), a mismatch is reported loudly and the run exits 1. Progress on stderr; writes
 * bench/results/heat.md and heat.json (every sample).
 *
 *   node --import tsx bench/heat/run.ts            full run (2-3 minutes on 2 cores)
 *   node --import tsx bench/heat/run.ts --quick    n = 1, 2 on 512 x 512, one round (~5 s)
 *   options: --np=1,2 --rounds=N --nx=N --ny=N --warmup=N --steps=N --reps=N
 *            --only=tsmpi-p2p,tsmpi-shared,tsmpi-darray,ompi-c,mpi4py --out=FILE (.md; .json beside it)
 *
 * A sample is the mean time per step over `steps` steps between two barriers, on rank 0, after
 * `warmup` steps; each program run gives `reps` samples. tsmpi runs bench/heat/tsmpi-heat.ts (the
 * HaloP2P and SharedHeat classes heat.ts runs); darray runs heat.ts itself (no warm-up: its own
 * "time per step" over all steps, one sample per run).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, loadNow, machineFacts, progress, sourceFingerprint } from "../lib/machine.ts";
import { jsonLines, runProcess } from "../lib/run-process.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";
import { buildC, detectReferences, mpiEnv, mpirunArgs, PYTHON } from "../reference/references.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const value = (name: string): string | undefined => {
  const found = option(name);
  return found?.includes("=") ? found.slice(found.indexOf("=") + 1) : undefined;
};
const numberOption = (name: string, fallback: number): number => {
  const text = value(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
  return n;
};

type Impl = "tsmpi-p2p" | "tsmpi-shared" | "tsmpi-darray" | "ompi-c" | "mpi4py";
const IMPLS: readonly Impl[] = ["tsmpi-p2p", "tsmpi-shared", "tsmpi-darray", "ompi-c", "mpi4py"];
const NAMES: Record<Impl, string> = {
  "tsmpi-p2p": "tsmpi p2p",
  "tsmpi-shared": "tsmpi shared",
  "tsmpi-darray": "tsmpi darray",
  "ompi-c": "C + Open MPI",
  mpi4py: "mpi4py + numpy",
};

const quick = option("quick") !== undefined;
const nps = value("np")?.split(",").map(Number) ?? (quick ? [1, 2] : [1, 2, 4, 8, 16]);
const nx = numberOption("nx", quick ? 512 : 2048);
const ny = numberOption("ny", nx);
const warmup = numberOption("warmup", quick ? 3 : 5);
const steps = numberOption("steps", quick ? 10 : 20);
const reps = numberOption("reps", quick ? 2 : 3);
const rounds = numberOption("rounds", quick ? 1 : 3);
const wanted = (value("only")?.split(",") ?? IMPLS) as Impl[];
for (const impl of wanted) if (!IMPLS.includes(impl)) throw new Error(`--only takes ${IMPLS.join(", ")}; got ${impl}`);
const out = resolve(root, value("out") ?? "bench/results/heat.md");
const timeoutSeconds = quick ? 60 : 180;
const totalSteps = warmup + reps * steps;

/** What every program prints: one JSON line from rank 0. */
interface HeatLine {
  impl: Impl;
  np: number;
  dims: string;
  ms_per_step: number[];
  total_steps: number;
  sum: number;
  sha256: string;
}

interface Cell {
  np: number;
  impl: Impl;
  dims: string;
  samples: number[];
  roundMedians: number[];
  checksums: { sum: number; sha256: string; total_steps: number }[];
}

const startedAt = performance.now();
const facts = machineFacts(root);
const loadAtStart = loadNow();
progress(`heat bench: ${nx} x ${ny}, n = ${nps.join(", ")}, ${rounds} round(s), ${warmup} warm-up + ${reps} x ${steps} timed steps; load average ${loadAtStart}`);

const notes: string[] = [];
const impls = new Set<Impl>(wanted);
const references = detectReferences();
let cBinary: string | undefined;
if (impls.has("ompi-c")) {
  if (!references.mpicc.ok || !references.mpirun.ok) {
    notes.push(`C + Open MPI skipped: ${!references.mpicc.ok ? references.mpicc.why : !references.mpirun.ok ? references.mpirun.why : ""}`);
    impls.delete("ompi-c");
  } else {
    try {
      cBinary = buildC(join(root, "bench/reference/heat.c"));
    } catch (error) {
      notes.push(`C + Open MPI skipped: mpicc failed: ${(error as Error).message.split("\n")[0]}`);
      impls.delete("ompi-c");
    }
  }
}
if (impls.has("mpi4py") && (!references.mpi4py.ok || !references.mpirun.ok)) {
  notes.push(`mpi4py skipped: ${!references.mpi4py.ok ? references.mpi4py.why : !references.mpirun.ok ? references.mpirun.why : ""}`);
  impls.delete("mpi4py");
}

const { launch } = await import("@tsmpi/launcher");
let bindTo = "none (launch() default)";

/** heat.ts --variant darray, once it exists: a tiny run that must exit 0. */
async function darrayAvailable(): Promise<boolean> {
  const job = await launch({ np: 1, program: "programs/heat.ts", args: ["--variant", "darray", "--nx", "8", "--ny", "8", "--steps", "1"], cwd: root, timeout: 60 });
  return job.exitCode === 0;
}
if (impls.has("tsmpi-darray") && !(await darrayAvailable())) {
  notes.push("tsmpi darray skipped: `heat.ts --variant darray` is not available yet");
  impls.delete("tsmpi-darray");
}

/** One program run: its result line, or why there is none. */
async function runOne(impl: Impl, np: number): Promise<HeatLine | string> {
  const refArgs = [`--nx=${nx}`, `--ny=${ny}`, `--warmup=${warmup}`, `--steps=${steps}`, `--reps=${reps}`];
  if (impl === "tsmpi-p2p" || impl === "tsmpi-shared" || impl === "tsmpi-darray") {
    const darray = impl === "tsmpi-darray";
    const program = darray ? "programs/heat.ts" : "bench/heat/tsmpi-heat.ts";
    const args = darray
      ? ["--variant", "darray", "--nx", String(nx), "--ny", String(ny), "--steps", String(totalSteps), "--checksum"]
      : [`--variant=${impl.slice("tsmpi-".length)}`, ...refArgs];
    let job;
    try {
      job = await launch({ np, program, args, cwd: root, timeout: timeoutSeconds });
    } catch (error) {
      return `launch() failed: ${(error as Error).message.split("\n")[0]}`;
    }
    if (job.placement !== undefined) bindTo = job.placement.bindTo;
    if (job.exitCode !== 0) return `failed (exit ${job.exitCode}): ${job.failure ?? job.ranks.map((r) => r.stderr).join("").trim().split("\n").slice(-2).join(" / ")}`.trim();
    const stdout = job.ranks[0]?.stdout ?? "";
    if (!darray) return jsonLines<HeatLine>(stdout)[0] ?? "no result line";
    // heat.ts prints "time per step X ms, ..." and "checksum sum=S sha256=H".
    const perStep = /^time per step (\S+) ms/m.exec(stdout);
    const checksum = /^checksum sum=(\S+) sha256=([0-9a-f]{64})$/m.exec(stdout);
    const dims = /ranks? as (\d+) x (\d+)/.exec(stdout);
    if (perStep === null || checksum === null) return `unexpected output: ${stdout.trim().split("\n").slice(-2).join(" / ")}`;
    return { impl, np, dims: dims ? `${dims[1]}x${dims[2]}` : "?", ms_per_step: [Number(perStep[1])], total_steps: totalSteps, sum: Number(checksum[1]), sha256: checksum[2]! };
  }
  const program = impl === "ompi-c" ? [cBinary!] : [PYTHON, join(root, "bench/reference/heat.py")];
  const run = await runProcess("mpirun", [...mpirunArgs(np), ...program, ...refArgs], { cwd: root, env: mpiEnv(true), timeoutSeconds });
  if (run.timedOut) return `timed out after ${timeoutSeconds} s`;
  if (run.code !== 0) return `mpirun exited with ${run.code ?? run.signal}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}`;
  return jsonLines<HeatLine>(run.stdout)[0] ?? "no result line";
}

const cells = new Map<string, Cell>();
const fingerprints = new Set<string>([sourceFingerprint(root)]);
const order = IMPLS.filter((impl) => impls.has(impl));
for (const np of nps) {
  for (let round = 1; round <= rounds; round++) {
    // Rotate who goes first, so that no implementation always gets the freshest machine.
    const rotated = order.map((_, i) => order[(i + round - 1) % order.length]!);
    for (const impl of rotated) {
      const result = await runOne(impl, np);
      if (impl.startsWith("tsmpi")) {
        const fingerprint = sourceFingerprint(root);
        if (!fingerprints.has(fingerprint)) {
          fingerprints.add(fingerprint);
          progress(`  warning: packages/*/src changed during the run (now ${fingerprint}): tsmpi figures mix versions`);
        }
      }
      if (typeof result === "string") {
        const note = `${NAMES[impl]} n=${np} round ${round}: ${result}`;
        notes.push(note);
        progress(`  ${note}`);
        continue;
      }
      const key = `${np}/${impl}`;
      const cell = cells.get(key) ?? { np, impl, dims: result.dims, samples: [], roundMedians: [], checksums: [] };
      cells.set(key, cell);
      cell.samples.push(...result.ms_per_step);
      cell.roundMedians.push(median(result.ms_per_step));
      cell.checksums.push({ sum: result.sum, sha256: result.sha256, total_steps: result.total_steps });
      progress(`n=${np} round ${round}/${rounds} ${NAMES[impl].padEnd(14)} ${fmt(median(result.ms_per_step))} ms/step (${result.dims}), sha256 ${result.sha256.slice(0, 12)}; ${(((performance.now() - startedAt) / 1000) | 0)} s, load ${loadNow()}`);
    }
  }
}
const loadAtEnd = loadNow();
// More runnable work than cores from others makes every figure here noisier (ratios less so). Only
// the load at the start says so: at the end it includes this run's own 16 ranks.
const busy = Number(loadAtStart.split(" ")[0]) > facts.cpus * 2;
if (busy) {
  const note = `the machine was busy at the start (1-minute load average ${loadAtStart.split(" ")[0]} on ${facts.cpus} cpus): rerun when it is quieter to confirm`;
  notes.push(note);
  progress(`warning: ${note}`);
}
const seconds = (performance.now() - startedAt) / 1000;

// Every run of the same grid and step count must end with the same field, bit for bit.
const all = [...cells.values()].flatMap((cell) => cell.checksums.map((c) => ({ ...c, who: `${NAMES[cell.impl]} n=${cell.np}` })));
const distinct = new Map<string, string[]>();
for (const c of all) {
  const key = `${c.total_steps} steps: sum=${c.sum} sha256=${c.sha256}`;
  distinct.set(key, [...(distinct.get(key) ?? []), c.who]);
}
const mismatch = new Set(all.map((c) => c.total_steps)).size < distinct.size;
if (mismatch) {
  progress("CHECKSUM MISMATCH: the implementations did not compute the same field:");
  for (const [key, who] of distinct) progress(`  ${key}: ${[...new Set(who)].join(", ")}`);
}

const find = (np: number, impl: Impl): Cell | undefined => cells.get(`${np}/${impl}`);
const med = (cell: Cell | undefined): number => (cell === undefined || cell.samples.length === 0 ? Number.NaN : median(cell.samples));
const cellText = (cell: Cell | undefined, impl: Impl): string => (cell === undefined ? (impls.has(impl) ? "failed" : "–") : spread(cell.samples));
const shown = order;
const tsmpiShown = shown.filter((impl) => impl.startsWith("tsmpi"));
const header = [
  "n",
  "grid (tsmpi p2p, C)",
  ...shown.map((impl) => `${NAMES[impl]} (ms)`),
  ...tsmpiShown.flatMap((impl) => [`${NAMES[impl]} / C`, `${NAMES[impl]} / mpi4py`]),
];
const lines = [`| ${header.join(" | ")} |`, `| ${header.map((_, i) => (i === 1 ? "---" : "---:")).join(" | ")} |`];
for (const np of nps) {
  const c = med(find(np, "ompi-c"));
  const p = med(find(np, "mpi4py"));
  const grid = [find(np, "tsmpi-p2p")?.dims, find(np, "ompi-c")?.dims].map((d) => d ?? "?").join(", ");
  lines.push(
    `| ${np} | ${grid} | ${shown.map((impl) => cellText(find(np, impl), impl)).join(" | ")} | ${tsmpiShown.flatMap((impl) => [ratio(med(find(np, impl)), c), ratio(med(find(np, impl)), p)]).join(" | ")} |`,
  );
}
const table = lines.join("\n");

/** Issue 4's and 5's targets, judged on tsmpi p2p (heat.ts's default variant); shared beside it. */
function verdicts(): string[] {
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? "not measured" : ok ? "met" : "NOT met");
  const known = (...xs: number[]): boolean => xs.every(Number.isFinite);
  const result: string[] = [];
  for (const impl of tsmpiShown) {
    const t2 = med(find(2, impl));
    const c2 = med(find(2, "ompi-c"));
    result.push(`- ${NAMES[impl]} at n = 2 within 1.5x of C + Open MPI: ${ratio(t2, c2)}: ${verdict(known(t2, c2) ? t2 <= 1.5 * c2 : undefined)}`);
    const slower = nps.filter((np) => known(med(find(np, impl)), med(find(np, "mpi4py"))) && med(find(np, impl)) >= med(find(np, "mpi4py")));
    const measured = nps.filter((np) => known(med(find(np, impl)), med(find(np, "mpi4py"))));
    result.push(
      `- ${NAMES[impl]} faster than mpi4py + numpy at every n: ${measured.length === 0 ? "not measured" : slower.length === 0 ? `met (n = ${measured.join(", ")})` : `NOT met at n = ${slower.join(", ")}`}`,
    );
  }
  result.push(
    mismatch
      ? `- **CHECKSUM MISMATCH**: ${[...distinct].map(([key, who]) => `${key} from ${[...new Set(who)].join(", ")}`).join("; ")}`
      : `- checksums: all ${all.length} runs ended with the same field (${[...distinct.keys()].join("; ")})`,
  );
  return result;
}

const refLine = (ref: { ok: true; version: string } | { ok: false; why: string }): string => (ref.ok ? ref.version : ref.why);
const command = `node --import tsx bench/heat/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const target = verdicts();
const report = `# Heat equation: time per step, tsmpi vs C + Open MPI and mpi4py + numpy

Reproduce (from the repository root): \`${command}\`
(references: \`bash bench/reference/install.sh\`; a missing one is skipped with a note)

- machine: ${describeMachine(facts, loadAtEnd)} (other work on this shared machine shows up as load and as outliers; the load at the end includes this run's own ranks; 2 cores, so n > 2 is oversubscribed)
- pinning: none: tsmpi ranks ${bindTo === "none" || bindTo.startsWith("none") ? "unbound (launch() bindTo none)" : `bindTo ${bindTo}`}, Open MPI \`--bind-to none --oversubscribe\`
- references: ${refLine(references.mpirun)}; ${refLine(references.mpicc)} (\`mpicc -O2\`); ${refLine(references.mpi4py)} (${PYTHON})
- tsmpi sources (packages/{runtime,launcher}/src) fingerprint ${[...fingerprints].join(" → ")}${fingerprints.size > 1 ? " (**changed during the run: tsmpi figures mix versions**)" : ", unchanged during the run"}
- the problem: ${nx} x ${ny} interior points, issue 4's initial field and constants; every program runs ${warmup} warm-up steps, then ${reps} samples of ${steps} steps (${totalSteps} steps in all, so every run ends on the same field)
- a sample: barrier, ${steps} steps, barrier, on rank 0: ms per step; cells are median (min–max) over ${rounds} round(s) x ${reps} samples; ratios are of medians
- ${rounds} round(s) per n, one program run per implementation per round, the order rotating each round; ${seconds.toFixed(0)} s in all
- implementations, one algorithm: 2-D blocks over a Cartesian grid (tsmpi computeDims, C MPI_Dims_create, mpi4py Compute_dims), nonblocking halo exchange of rows and packed columns overlapped with the update of the inner points, then the strips. tsmpi p2p: bench/heat/tsmpi-heat.ts running programs/heat/halo-p2p.ts; tsmpi shared: programs/heat/variant-shared.ts (rows of two SharedArrays, one barrier per step; its "grid" is n row blocks); C: bench/reference/heat.c; mpi4py: bench/reference/heat.py (uppercase Isend/Irecv on numpy buffers, numpy slicing for the stencil)
- checksums: each program gathers the final interior to rank 0 and prints its row-major sequential sum and the SHA-256 of its float64 bits, as \`heat.ts --checksum\` does
- the stencil loop as programs/heat/stencil.ts has it since bench/results/heat-stencil.md (constants hoisted, row values carried: 1.5-1.7x)

${table}

${target.join("\n")}
${notes.length > 0 ? `\nNotes:\n${notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
const jsonOut = out.replace(/\.md$/, "") + ".json";
const options = { quick, nps, nx, ny, warmup, steps, reps, rounds, impls: order };
writeFileSync(
  jsonOut,
  `${JSON.stringify({ command, machine: facts, loadAtStart, loadAtEnd, options, references, fingerprints: [...fingerprints], mismatch, notes, seconds })
    .slice(0, -1)},"cells":[\n${[...cells.values()].map((c) => JSON.stringify(c)).join(",\n")}\n]}\n`,
);
process.stdout.write(`${table}\n\n${target.join("\n")}\n${notes.map((n) => `- ${n}`).join("\n")}\n`);
progress(`wrote ${relative(root, out)} and ${relative(root, jsonOut)} (${seconds.toFixed(1)} s)`);
if (mismatch) process.exit(1);
