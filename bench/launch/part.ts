/**
 * Part "launch" of `pnpm bench`: launch time (`tsmpirun -n N` hello start to exit beside
 * `mpirun -n N python3 hello.py`), peak memory of 16 ranks (VmHWM summed over the ranks) and the
 * CPU an idle rank uses while it waits, through bench/launch/time.ts, peak-memory.ts and idle.ts
 * (the same measurements as the command lines bench/launch/run.ts and memory.ts).
 *
 * Full: N = 1, 4, 16 x 5 repetitions; memory of 16 hello ranks and of heat 2048x2048 at np 16, 2
 * repetitions; idle wait 3 s x 2. Quick: N = 1, 4 x 2; 16 hello ranks once; idle wait 1 s once.
 */
import { fmt, median, spread } from "../lib/stats.ts";
import { judge } from "../report/targets.ts";
import { firstLine } from "../reference/references.ts";
import type { BenchPart, Chart, PartOptions, PartResult, PartSection, TargetResult } from "../report/part.ts";
import { IDLE_FIXTURE, IDLE_LIMIT, measureIdleCpu, type IdleSample } from "./idle.ts";
import { heatCase, helloCase, measureMemory, MEMORY_METHOD, memoryTable, sumsMiB, type MemoryResult } from "./peak-memory.ts";
import { launchTimeTable, measureLaunchTime, medianSeconds, MPIRUN_LABEL, phaseTable, TSMPIRUN_LABEL, type LaunchTimeResult } from "./time.ts";

/** "16 ranks fit in 1.5 GiB". */
const MEMORY_LIMIT_MIB = 1536;


export const part: BenchPart = {
  name: "launch",
  title: "Launch time, memory per rank, idle CPU",
  async run(options: PartOptions): Promise<PartResult> {
    const { root, quick, references: refs } = options;
    const nps = quick ? [1, 4] : [1, 4, 16];
    const reps = quick ? 2 : 5;
    const memoryReps = quick ? 1 : 2;
    const idleWaitMs = quick ? 1000 : 3000;
    const idleReps = quick ? 1 : 2;
    const withMpirun = refs.mpirun.ok && refs.mpi4py.ok;
    const mpirunWhy = !refs.mpirun.ok ? refs.mpirun.why : !refs.mpi4py.ok ? refs.mpi4py.why : "";

    const method: string[] = [];
    const sections: PartSection[] = [];
    const charts: Chart[] = [];
    const notes: string[] = [];
    if (!withMpirun) notes.push(`mpirun + mpi4py column skipped: ${mpirunWhy}`);
    if (options.pin === "spread") notes.push("--pin does not apply here: tsmpirun uses its default binding (none), mpirun Open MPI's defaults");

    // 1. Launch time against N.
    let time: LaunchTimeResult | undefined;
    try {
      time = await measureLaunchTime({ root, nps, reps, mpirun: withMpirun, tolerateReferenceFailures: true, warmup: true, timeoutSeconds: 120 });
      notes.push(...time.notes);
    } catch (error) {
      notes.push(`launch time failed: ${firstLine(error)}`);
    }
    if (time !== undefined) {
      method.push(
        `launch time: ${reps} repetitions at N = ${nps.join(", ")}, interleaved (${time.variants.join(", ")}), after one unrecorded warm-up run of each at N = ${Math.min(...nps)}; start to exit of the whole command; ${time.seconds.toFixed(0)} s`,
        `tsmpirun: \`node packages/launcher/bin/tsmpirun.js -n N programs/hello.ts\` (default binding, cached bundles), TSMPIRUN_TRACE=1 for its phases${withMpirun ? "; mpirun: `mpirun --oversubscribe -n N /usr/bin/python3 hello.py` (mpi4py hello, Open MPI's default binding)" : ""}`,
      );
      sections.push(
        { title: "Launch time, start to exit (s), median (min–max)", markdown: launchTimeTable(time) },
        { title: "tsmpirun phases (TSMPIRUN_TRACE=1), median ms since the launcher started", markdown: phaseTable(time) },
      );
      const measured = time;
      charts.push({
        id: "launch-time",
        title: "Launch time (hello, start to exit) against rank count",
        x: { label: "ranks (N)", ticks: nps.map((n) => ({ value: n, label: String(n) })) },
        y: { label: "seconds" },
        series: measured.variants.map((label) => ({
          name: label,
          points: nps.flatMap((np) => {
            const values = (measured.samples[label]?.[np] ?? []).map((s) => s.seconds);
            return values.length === 0 ? [] : [{ x: np, y: median(values), low: Math.min(...values), high: Math.max(...values) }];
          }),
        })),
        caption: `medians of ${reps} runs; whiskers min–max; lower is better${withMpirun ? "" : "; mpirun + mpi4py not run"}`,
      });
    }

    // 2. Peak memory: 16 idle hello ranks; heat 2048x2048 at np 16 in the full run.
    let memory: MemoryResult | undefined;
    try {
      memory = await measureMemory({ root, cases: quick ? [helloCase(16)] : [helloCase(16), heatCase(16)], reps: memoryReps, timeoutSeconds: 300 });
    } catch (error) {
      notes.push(`memory check failed: ${firstLine(error)}`);
    }
    if (memory !== undefined) {
      method.push(`memory: ${memory.cases.map((c) => `${c.label} at np ${c.np}`).join(", ")}, ${memoryReps} run(s) each; ${MEMORY_METHOD}; ${memory.seconds.toFixed(0)} s`);
      sections.push({ title: "Peak memory per rank (VmHWM) at 16 ranks", markdown: memoryTable(memory) });
    }

    // 3. Idle CPU.
    let idle: IdleSample[] | undefined;
    try {
      const run = await measureIdleCpu({ root, waitMs: idleWaitMs, reps: idleReps });
      idle = run.samples;
      method.push(
        `idle CPU: \`tsmpirun -n 2 ${IDLE_FIXTURE} ${idleWaitMs}\`, rank 1 waits in recv while rank 0 sleeps ${idleWaitMs} ms; CPU over the wait from getrusage (every thread of the process) and /proc/self/stat (10 ms ticks); ${idleReps} run(s); ${run.seconds.toFixed(0)} s`,
      );
      const rows = ["| run | waited (ms) | CPU, getrusage (ms) | CPU, /proc ticks (ms) | CPU / wait | load at start |", "| ---: | ---: | ---: | ---: | ---: | --- |"];
      idle.forEach((s, i) => rows.push(`| ${i + 1} | ${fmt(s.waitedMs)} | ${fmt(s.rusageMs)} | ${fmt(s.statMs)} | ${((100 * s.rusageMs) / s.waitedMs).toFixed(2)}% | ${s.load.split(" ")[0]} |`));
      sections.push({ title: "CPU of an idle rank while it waits in recv", markdown: rows.join("\n") });
    } catch (error) {
      notes.push(`idle-CPU check failed: ${firstLine(error)}`);
    }

    return { method, sections, charts, targets: [launchTarget(time, withMpirun, mpirunWhy), memoryTarget(memory), idleTarget(idle)], notes, versions: refs.mpirun.ok ? { "Open MPI": refs.mpirun.version } : {} };
  },
};

/** launch-16: tsmpirun -n 16 at most 1.5x mpirun -n 16 python3 hello.py; only judged where N = 16 ran. */
function launchTarget(time: LaunchTimeResult | undefined, withMpirun: boolean, mpirunWhy: string): TargetResult {
  const id = "launch-16";
  if (time === undefined) return { id, verdict: "not measured", figures: "launch time failed (see the notes)" };
  const at16 = time.nps.includes(16);
  const np = at16 ? 16 : Math.max(...time.nps);
  const t = medianSeconds(time, TSMPIRUN_LABEL, np);
  const m = withMpirun ? medianSeconds(time, MPIRUN_LABEL, np) : Number.NaN;
  const where = at16 ? "N = 16" : `N = 16 not run (--quick); at N = ${np}`;
  const mText = !withMpirun ? `mpirun + mpi4py not measured (${mpirunWhy})` : Number.isFinite(m) ? `mpirun + mpi4py ${fmt(m)} s` : "mpirun + mpi4py failed every run";
  const result = judge(id, t, m, 1.5, "at most", (r) => `${where}: tsmpirun ${fmt(t)} s, ${mText}: ${r} (limit 1.5x)`);
  return at16 ? result : { ...result, verdict: "not measured" };
}

/** memory-16: the VmHWM sum of 16 ranks, the largest of the cases measured, within 1.5 GiB. */
function memoryTarget(memory: MemoryResult | undefined): TargetResult {
  const id = "memory-16";
  if (memory === undefined) return { id, verdict: "not measured", figures: "memory check failed (see the notes)" };
  const sums = memory.cases.map((c, i) => ({ c, sums: sumsMiB(memory.samples[i]!) })).filter((x) => x.c.np === 16 && x.sums.length > 0);
  if (sums.length === 0) return { id, verdict: "not measured", figures: "no 16-rank case ran" };
  const worst = Math.max(...sums.map((x) => median(x.sums)));
  const each = sums.map((x) => `${x.c.label} ${spread(x.sums)} MiB`).join("; ");
  return judge(id, worst, MEMORY_LIMIT_MIB, 1, "at most", (r) => `sum of 16 ranks' VmHWM (median): ${each}; largest ${fmt(worst)} MiB = ${r} of ${MEMORY_LIMIT_MIB} MiB (shared pages counted per rank)`);
}

/** idle-cpu: getrusage CPU over the wait at most IDLE_LIMIT of the time waited. */
function idleTarget(idle: IdleSample[] | undefined): TargetResult {
  const id = "idle-cpu";
  if (idle === undefined || idle.length === 0) return { id, verdict: "not measured", figures: "idle-CPU check failed (see the notes)" };
  const cpu = median(idle.map((s) => s.rusageMs));
  const waited = median(idle.map((s) => s.waitedMs));
  return judge(
    id,
    cpu,
    waited,
    IDLE_LIMIT,
    "at most",
    () => `rank 1 in recv for ${fmt(waited)} ms used ${fmt(cpu)} ms CPU (getrusage, median of ${idle.length}; /proc ticks ${fmt(median(idle.map((s) => s.statMs)))} ms) = ${((100 * cpu) / waited).toFixed(2)}% of one core (limit ${(100 * IDLE_LIMIT).toFixed(0)}%)`,
  );
}
