/**
 * srun on the three-host test cluster of test/cluster/up.sh, for the tests under test/slurm: whether
 * it is there (and the skip rule: skipped with the reason printed, except with CI=true, where a
 * missing Slurm is a failure rather than a silent pass), and one run of srun with everything it
 * printed and the tasks it left behind.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { withClusterShared } from "./cluster.ts";
import { repoRoot } from "./paths.ts";

const clusterDir = process.env.TSMPI_CLUSTER_DIR ?? "/var/tmp/tsmpi-cluster";
/** The test cluster's slurm.conf (SLURM_CONF, else the one test/cluster/up.sh writes). */
export const slurmConf = process.env.SLURM_CONF ?? join(clusterDir, "slurm/slurm.conf");
const srun = onPath("srun");

/** Why Slurm cannot be used here; `undefined` when it can. */
export const slurmMissing =
  srun === undefined ? "srun is not on PATH" : existsSync(slurmConf) ? undefined : `${slurmConf} (SLURM_CONF) does not exist; start test/cluster/up.sh`;

/** Whether a file of Slurm tests skips (and says why) instead of running. */
export function skipWithoutSlurm(file: string): boolean {
  const skip = slurmMissing !== undefined && process.env.CI !== "true";
  if (skip) console.warn(`${file} skipped: ${slurmMissing}`);
  return skip;
}

/** For beforeAll: with CI=true a missing Slurm fails the file. */
export function requireSlurm(): void {
  if (slurmMissing !== undefined) throw new Error(`CI=true needs Slurm and the test cluster: ${slurmMissing}`);
}

/** Marks the environment of every task of one run, so that leftovers can be found in /proc. */
const MARKER = "TSMPI_SRUN_TEST_RUN";

/** How one srun ended, what it printed, and what of it outlived it. */
export interface SrunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** Pids of processes of this run still alive once srun has exited (and a short grace). */
  leftovers: number[];
}

/**
 * Runs `srun --oversubscribe SRUN_ARGS COMMAND...` from the repository root and collects what it printed. Beyond
 * `timeoutMs` srun is killed (a hung run then fails on its exit status, not on the test's timeout).
 */
export function runSrun(
  srunArgs: readonly string[],
  command: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<SrunResult> {
  // Shared use of the three hosts: the link-cut test (test/hosts) must not cut n3 under a step.
  return withClusterShared(() => runSrunNow(srunArgs, command, options));
}

async function runSrunNow(
  srunArgs: readonly string[],
  command: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number },
): Promise<SrunResult> {
  const marker = randomBytes(8).toString("hex");
  const started = performance.now();
  // --oversubscribe: test files run two at a time, and each of their steps may take every cpu of the
  // cluster; without it one file's steps queue behind the other's, and elapsed times include the wait.
  const child = spawn(srun ?? "srun", ["--oversubscribe", ...srunArgs, ...command], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, SLURM_CONF: slurmConf, [MARKER]: marker },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (code, sig) => resolve([code, sig])));
  clearTimeout(timer);
  const elapsedMs = performance.now() - started;
  const leftovers = await processesMarked(marker);
  // Tasks that outlived a failed run are ours to end, by pid; the assertion still reports them.
  for (const pid of leftovers) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  return { exitCode, signal, stdout, stderr, elapsedMs, leftovers };
}

/** srun's story, for assertion messages. */
export function explainSrun(run: SrunResult): string {
  return `srun exited ${run.exitCode ?? run.signal} after ${Math.round(run.elapsedMs)} ms\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/**
 * Pids of live processes whose initial environment carries this run's marker, polled briefly
 * because slurmstepd may still be reaping tasks when srun returns. The test hosts share one pid
 * namespace, so /proc here sees the tasks of all three.
 */
async function processesMarked(marker: string): Promise<number[]> {
  const needle = `${MARKER}=${marker}\0`;
  const deadline = performance.now() + 3_000;
  for (;;) {
    const pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry) && environOf(entry).includes(needle)).map(Number);
    if (pids.length === 0 || performance.now() > deadline) return pids;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function environOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return "";
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}
