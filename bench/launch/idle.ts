/**
 * "An idle rank uses no CPU while it waits": `tsmpirun -n 2 test/fixtures/launch-idle-wait.ts MS`,
 * where rank 1 waits in recv for MS ms while rank 0 sleeps, then prints the CPU it used meanwhile:
 * process.cpuUsage() (getrusage, every thread of the process, microseconds) and utime+stime from
 * /proc/self/stat (10 ms ticks). Used by bench/launch/part.ts; test/launcher/scale.test.ts asserts
 * the same fixture under 50 ms.
 */
import { join } from "node:path";
import { loadNow, progress } from "../lib/machine.ts";
import { jsonLines, runProcess } from "../lib/run-process.ts";

export const IDLE_FIXTURE = "test/fixtures/launch-idle-wait.ts";
/** The most CPU an idle rank may use, as a fraction of the time it waited (2% of one core). */
export const IDLE_LIMIT = 0.02;

export interface IdleSample {
  waitedMs: number;
  /** getrusage (process.cpuUsage) over the wait, ms. */
  rusageMs: number;
  /** utime + stime from /proc/self/stat over the wait, ms (10 ms resolution). */
  statMs: number;
  load: string;
}

export async function measureIdleCpu(options: { root: string; waitMs: number; reps: number; timeoutSeconds?: number }): Promise<{ samples: IdleSample[]; seconds: number }> {
  const tsmpirun = join(options.root, "packages/launcher/bin/tsmpirun.js");
  const samples: IdleSample[] = [];
  const started = performance.now();
  for (let rep = 1; rep <= options.reps; rep++) {
    const load = loadNow();
    const run = await runProcess(process.execPath, [tsmpirun, "-n", "2", IDLE_FIXTURE, String(options.waitMs)], {
      cwd: options.root,
      timeoutSeconds: options.timeoutSeconds ?? 60 + options.waitMs / 1000,
      forwardStderr: false,
    });
    const line = jsonLines<{ waitedMs: number; cpuMs: number; rusageMs: number }>(run.stdout)[0];
    if (run.code !== 0 || line === undefined) {
      throw new Error(`tsmpirun -n 2 ${IDLE_FIXTURE} ${options.waitMs} failed (${run.timedOut ? "timed out" : `exit ${run.code ?? run.signal}`}):\n${run.stderr.slice(-2000)}`);
    }
    samples.push({ waitedMs: line.waitedMs, rusageMs: line.rusageMs, statMs: line.cpuMs, load });
    progress(`rep ${rep}/${options.reps} idle rank: ${line.rusageMs.toFixed(1)} ms CPU over a ${line.waitedMs.toFixed(0)} ms wait (load ${load.split(" ")[0]})`);
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}
