/**
 * Launch time: `tsmpirun -n N programs/hello.ts` start to exit beside `mpirun -n N python3 hello.py`
 * (mpi4py), N = 1, 4, 16, in one run, interleaved (tsmpirun, mpirun, tsmpirun, ...: this shared
 * machine drifts), each cell the median of the repetitions with min–max; the load average is
 * recorded with every sample. With TSMPIRUN_TRACE=1 the launcher prints its phases, so the table
 * also splits tsmpirun's time into: launcher loaded, bundle ready, ranks spawned, fence, exit.
 *
 *   node --import tsx bench/launch/run.ts                 N = 1, 4, 16; 7 repetitions
 *   node --import tsx bench/launch/run.ts --quick         N = 1, 16; 3 repetitions
 *   options: --np=1,4,16 --reps=N --out=FILE --baseline=PATH/tsmpirun.js (adds a column, e.g. an
 *            older launcher extracted with `git archive`) --no-cache (TSMPIRUN_CACHE=0 column)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, loadNow, machineFacts, progress } from "../lib/machine.ts";
import { runProcess } from "../lib/run-process.ts";
import { fmt, median, ratio, spread } from "../lib/stats.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const quick = flag("quick");
const nps = (value("np") ?? (quick ? "1,16" : "1,4,16")).split(",").map(Number);
const reps = Number(value("reps") ?? (quick ? 3 : 7));
const out = resolve(root, value("out") ?? "bench/results/launch-time.md");
const baseline = value("baseline");

const helloPy = join(tmpdir(), "tsmpi-bench-hello.py");
writeFileSync(
  helloPy,
  'from mpi4py import MPI\nc = MPI.COMM_WORLD\nprint(f"hello from rank {c.Get_rank()} of {c.Get_size()}", flush=True)\n',
);
const tsmpirun = join(root, "packages/launcher/bin/tsmpirun.js");

interface Variant {
  label: string;
  command: (np: number) => { command: string; args: string[]; env?: NodeJS.ProcessEnv };
}
const variants: Variant[] = [
  {
    label: "tsmpirun",
    command: (np) => ({ command: process.execPath, args: [tsmpirun, "-n", String(np), "programs/hello.ts"], env: { ...process.env, TSMPIRUN_TRACE: "1" } }),
  },
];
if (flag("no-cache")) {
  variants.push({
    label: "tsmpirun, TSMPIRUN_CACHE=0",
    command: (np) => ({ command: process.execPath, args: [tsmpirun, "-n", String(np), "programs/hello.ts"], env: { ...process.env, TSMPIRUN_CACHE: "0" } }),
  });
}
if (baseline !== undefined) {
  variants.push({
    label: "tsmpirun baseline",
    command: (np) => ({ command: process.execPath, args: [resolve(baseline), "-n", String(np), "programs/hello.ts"] }),
  });
}
const mpirunFound = (await runProcess("sh", ["-c", "command -v mpirun && /usr/bin/python3 -c 'import mpi4py'"], { cwd: root, timeoutSeconds: 30, forwardStderr: false })).code === 0;
if (mpirunFound) {
  const asRoot = process.getuid?.() === 0 ? ["--allow-run-as-root"] : [];
  variants.push({
    label: "mpirun + mpi4py",
    command: (np) => ({ command: "mpirun", args: [...asRoot, "--oversubscribe", "-n", String(np), "/usr/bin/python3", helloPy] }),
  });
} else progress("mpirun or mpi4py for /usr/bin/python3 not found (bash bench/reference/install.sh): no reference column");

interface Sample {
  seconds: number;
  load: number;
  phases: Record<string, number>;
}
const samples = new Map<string, Sample[]>();
const key = (label: string, np: number): string => `${label}@${np}`;

/** `tsmpirun: trace +123.4 phase` lines -> { phase: ms }, phases named without rank numbers. */
function phasesOf(stderr: string): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const match of stderr.matchAll(/^tsmpirun: trace \+([\d.]+) (.+)$/gm)) {
    const phase = match[2]!.startsWith("rank ") ? (match[2]!.includes("(1 of") ? "first hello" : "last hello") : match[2]!.replace(/^bundle: .*/, "bundle ready");
    phases[phase] = Number(match[1]);
  }
  return phases;
}

const facts = machineFacts(root);
const started = performance.now();
for (let rep = 1; rep <= reps; rep++) {
  for (const np of nps) {
    for (const variant of variants) {
      const { command, args, env } = variant.command(np);
      const load = Number(loadNow().split(" ")[0]);
      const run = await runProcess(command, args, { cwd: root, env, timeoutSeconds: 120, forwardStderr: false });
      // Occurrences, not lines: mpirun's output forwarding sometimes joins two ranks' lines.
      const lines = run.stdout.match(/hello from rank/g)?.length ?? 0;
      if (run.code !== 0 || lines !== np) {
        throw new Error(`${variant.label} -n ${np} failed (exit ${run.code}, ${lines} hello lines):\n${run.stderr.slice(-2000)}`);
      }
      const list = samples.get(key(variant.label, np)) ?? [];
      list.push({ seconds: run.seconds, load, phases: phasesOf(run.stderr) });
      samples.set(key(variant.label, np), list);
      progress(`rep ${rep}/${reps} ${variant.label} -n ${np}: ${run.seconds.toFixed(2)} s (load ${load.toFixed(2)})`);
    }
  }
}
const seconds = (performance.now() - started) / 1000;

const reference = variants.find((v) => v.label.startsWith("mpirun"));
const header = ["N", ...variants.map((v) => `${v.label} (s)`), ...(reference ? variants.filter((v) => v !== reference).map((v) => `${v.label} / mpirun`) : []), "load (1 min) min–max"];
const rows = [`| ${header.join(" | ")} |`, `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
for (const np of nps) {
  const cells = variants.map((v) => spread(samples.get(key(v.label, np))!.map((s) => s.seconds)));
  const ratios = reference
    ? variants
        .filter((v) => v !== reference)
        .map((v) => ratio(median(samples.get(key(v.label, np))!.map((s) => s.seconds)), median(samples.get(key(reference.label, np))!.map((s) => s.seconds))))
    : [];
  const loads = variants.flatMap((v) => samples.get(key(v.label, np))!.map((s) => s.load));
  rows.push(`| ${np} | ${[...cells, ...ratios].join(" | ")} | ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))} |`);
}

const phaseNames = ["launch() called", "bundle ready", `spawned`, "first hello", "last hello", "fence 1 complete", "all ranks exited"];
const phaseRows = [
  `| N | ${phaseNames.join(" | ")} | exit (wall) |`,
  `| --- | ${phaseNames.map(() => "---:").join(" | ")} | ---: |`,
];
for (const np of nps) {
  const list = samples.get(key("tsmpirun", np))!;
  const cell = (name: string): string => {
    const values = list.map((s) => Object.entries(s.phases).find(([phase]) => phase.startsWith(name))?.[1]).filter((v): v is number => v !== undefined);
    return values.length === 0 ? "–" : fmt(median(values));
  };
  phaseRows.push(`| ${np} | ${phaseNames.map(cell).join(" | ")} | ${fmt(median(list.map((s) => s.seconds * 1000)))} |`);
}

const command = `node --import tsx bench/launch/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const report = `# Launch time: tsmpirun vs mpirun + mpi4py

Reproduce: \`${command}\`

- machine: ${describeMachine(facts, loadNow())}
- ${reps} repetitions, interleaved per N (${variants.map((v) => v.label).join(", ")}); cells are median (min–max) seconds, start to exit of the whole command; ${seconds.toFixed(0)} s in all
- tsmpirun: \`node packages/launcher/bin/tsmpirun.js -n N programs/hello.ts\` (default binding, launcher and program bundles cached after the first run)
- mpirun: \`mpirun --allow-run-as-root --oversubscribe -n N /usr/bin/python3 hello.py\` (mpi4py hello, Open MPI's defaults)

${rows.join("\n")}

tsmpirun phases (TSMPIRUN_TRACE=1), median ms since the launcher process started:

${phaseRows.join("\n")}
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
process.stdout.write(`${rows.join("\n")}\n\n${phaseRows.join("\n")}\n`);
progress(`wrote ${relative(root, out)} (${seconds.toFixed(0)} s)`);
