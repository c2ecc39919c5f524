/**
 * Peak memory per rank and wire-up at scale: runs `tsmpirun` jobs with every rank preloading
 * hwm-hook.mjs (its VmHWM and CPU time at exit) and the launcher under /usr/bin/time (its max RSS),
 * TSMPIRUN_TRACE=1 for the wire-up phases. Cases: hello at np 1/16/32/64, the launch-many fixture
 * (barrier + allreduce) at np 16/32/64, heat 2048x2048 20 steps at np 4/16.
 *
 *   node --import tsx bench/launch/memory.ts [--reps=2] [--out=FILE] [--only=hello,many,heat]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describeMachine, loadNow, machineFacts, progress } from "../lib/machine.ts";
import { runProcess } from "../lib/run-process.ts";
import { fmt, median, spread } from "../lib/stats.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argv = process.argv.slice(2);
const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const reps = Number(value("reps") ?? 2);
const only = value("only")?.split(",");
const out = resolve(root, value("out") ?? "bench/results/launch-memory.md");
const tsmpirun = join(root, "packages/launcher/bin/tsmpirun.js");
const hook = pathToFileURL(join(here, "hwm-hook.mjs")).href;

interface Case {
  group: string;
  label: string;
  np: number;
  program: string;
  args: string[];
}
const cases: Case[] = [
  ...[1, 16, 32, 64].map((np) => ({ group: "hello", label: "hello", np, program: "programs/hello.ts", args: [] })),
  ...[16, 32, 64].map((np) => ({ group: "many", label: "barrier + allreduce", np, program: "test/fixtures/launch-many.ts", args: [] })),
  ...[4, 16].map((np) => ({ group: "heat", label: "heat 2048x2048, 20 steps", np, program: "programs/heat.ts", args: ["--nx", "2048", "--ny", "2048", "--steps", "20"] })),
].filter((c) => only === undefined || only.includes(c.group));

interface RankMemory {
  rank: number;
  hwmKiB: number;
  cpuMs: number;
}
interface Sample {
  seconds: number;
  load: string;
  launcherKiB: number;
  ranks: RankMemory[];
  wireupMs: number | undefined;
}
const results = new Map<Case, Sample[]>();
const facts = machineFacts(root);
const started = performance.now();
const scratch = mkdtempSync(join(tmpdir(), "tsmpi-bench-mem-"));
try {
  for (let rep = 1; rep <= reps; rep++) {
    for (const c of cases) {
      const file = join(scratch, `hwm-${rep}-${c.label.replace(/\W+/g, "_")}-${c.np}.jsonl`);
      const load = loadNow();
      const run = await runProcess(
        "/usr/bin/time",
        ["-f", "launcher-maxrss-kib %M", process.execPath, tsmpirun, "-n", String(c.np), "-x", `NODE_OPTIONS=--import=${hook}`, "-x", `TSMPI_BENCH_HWM_FILE=${file}`, c.program, ...c.args],
        { cwd: root, env: { ...process.env, TSMPIRUN_TRACE: "1" }, timeoutSeconds: 300, forwardStderr: false },
      );
      if (run.code !== 0) throw new Error(`${c.label} -n ${c.np} failed (exit ${run.code}):\n${run.stderr.slice(-2000)}`);
      const ranks = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as RankMemory);
      if (ranks.length !== c.np) throw new Error(`${c.label} -n ${c.np}: ${ranks.length} ranks reported memory`);
      const trace = (phase: string): number | undefined => {
        const match = new RegExp(`^tsmpirun: trace \\+([\\d.]+) ${phase}`, "m").exec(run.stderr);
        return match ? Number(match[1]) : undefined;
      };
      const spawned = trace("spawned");
      const fence = trace("fence 1 complete");
      const sample: Sample = {
        seconds: run.seconds,
        load,
        launcherKiB: Number(/launcher-maxrss-kib (\d+)/.exec(run.stderr)?.[1] ?? Number.NaN),
        ranks,
        wireupMs: spawned !== undefined && fence !== undefined ? fence - spawned : undefined,
      };
      results.set(c, [...(results.get(c) ?? []), sample]);
      const sum = ranks.reduce((total, r) => total + r.hwmKiB, 0);
      progress(`rep ${rep}/${reps} ${c.label} -n ${c.np}: ${run.seconds.toFixed(2)} s, ranks' VmHWM sum ${(sum / 1024).toFixed(0)} MiB (load ${load})`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const seconds = (performance.now() - started) / 1000;

const MiB = (kib: number): number => kib / 1024;
const rows = [
  "| program | np | start to exit (s) | spawned → fence (ms) | VmHWM per rank, median (MiB) | max rank (MiB) | sum of ranks (MiB) | launcher max RSS (MiB) | CPU per rank, median (ms) | load at start |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
];
for (const c of cases) {
  const samples = results.get(c)!;
  const perRank = samples.flatMap((s) => s.ranks.map((r) => MiB(r.hwmKiB)));
  const sums = samples.map((s) => MiB(s.ranks.reduce((total, r) => total + r.hwmKiB, 0)));
  const wireup = samples.map((s) => s.wireupMs).filter((v): v is number => v !== undefined);
  rows.push(
    `| ${c.label} | ${c.np} | ${spread(samples.map((s) => s.seconds))} | ${spread(wireup)} | ${fmt(median(perRank))} | ${fmt(Math.max(...perRank))} | ${spread(sums)} | ${fmt(median(samples.map((s) => MiB(s.launcherKiB))))} | ${fmt(median(samples.flatMap((s) => s.ranks.map((r) => r.cpuMs))))} | ${samples.map((s) => s.load.split(" ")[0]).join(", ")} |`,
  );
}
const command = `node --import tsx bench/launch/memory.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const report = `# Launch at scale and peak memory per rank

Reproduce: \`${command}\`

- machine: ${describeMachine(facts, loadNow())}
- ${reps} repetitions per case; cells are median (min–max) where a spread is shown; ${seconds.toFixed(0)} s in all
- VmHWM: each rank's peak resident set, read from /proc/self/status at exit by bench/launch/hwm-hook.mjs (preloaded with \`-x NODE_OPTIONS=--import=...\`); shared pages (node's text, zeromq's library) count once per rank, so the sum overstates what the ranks take together
- launcher max RSS: \`/usr/bin/time -f %M\` of tsmpirun itself; spawned → fence: TSMPIRUN_TRACE=1 phases

${rows.join("\n")}
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
process.stdout.write(`${rows.join("\n")}\n`);
progress(`wrote ${relative(root, out)} (${seconds.toFixed(0)} s)`);
