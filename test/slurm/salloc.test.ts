/**
 * tsmpirun inside a Slurm allocation (salloc) on the three-host test cluster (test/cluster/up.sh):
 * the hosts and slots come from the allocation, one agent per host is started with srun, and the
 * job behaves as with ssh hosts: output, the same heat result as on one host, exit codes, and no
 * process left on any host after a failure.
 *
 * Skipped, with the reason printed, when salloc or the cluster's slurm.conf is missing, except with
 * CI=true, where that is a failure.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { withClusterShared } from "../helpers/cluster.ts";
import { fixture, exampleProgram, repoRoot } from "../helpers/paths.ts";
import { jobIdFrom, jobProcesses, jobSegments } from "../helpers/processes.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

const clusterDir = process.env.TSMPI_CLUSTER_DIR ?? "/var/tmp/tsmpi-cluster";
const slurmConf = join(clusterDir, "slurm/slurm.conf");
const missing = !existsSync("/usr/bin/salloc") ? "salloc is not installed" : !existsSync(slurmConf) ? `${slurmConf} does not exist; start test/cluster/up.sh` : undefined;
const skip = missing !== undefined && process.env.CI !== "true";
if (skip) console.warn(`test/slurm/salloc.test.ts skipped: ${missing}`);

const tsmpirun = join(repoRoot, "packages/launcher/bin/tsmpirun.js");

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** `salloc ALLOCATION node tsmpirun ARGS`, with the cluster's Slurm configuration. */
function salloc(allocation: readonly string[], args: readonly string[], within: readonly string[] = []): Promise<Run> {
  // Shared use of the three hosts: the link-cut test (test/hosts) must not cut n3 under this job.
  return withClusterShared(() => sallocNow(allocation, args, within));
}

function sallocNow(allocation: readonly string[], args: readonly string[], within: readonly string[]): Promise<Run> {
  const started = performance.now();
  const child = spawn("salloc", [...allocation, ...within, process.execPath, tsmpirun, ...args], {
    cwd: repoRoot,
    env: { ...process.env, SLURM_CONF: slurmConf },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once("close", (exitCode) => resolve({ exitCode, stdout, stderr, seconds: (performance.now() - started) / 1000 })),
  );
}

const explain = (run: Run): string => `exit ${run.exitCode} after ${run.seconds.toFixed(2)} s\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

async function noneLeft(jobId: string): Promise<{ processes: number[]; segments: string[] }> {
  for (let attempt = 0; attempt < 20 && jobProcesses(jobId).length > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  return { processes: jobProcesses(jobId), segments: jobSegments(jobId) };
}

describe.skipIf(skip)("tsmpirun inside salloc -N3", () => {
  beforeAll(() => {
    if (missing !== undefined) throw new Error(`CI=true needs Slurm and the test cluster: ${missing}`);
  });

  test("runs the allocation's tasks on its hosts, started with srun", async () => {
    const run = await salloc(["-N3", "-n6"], [fixture("slurm-behave.ts")]);
    expect(run.exitCode, explain(run)).toBe(0);
    const lines = run.stdout.split("\n").filter((line) => line.startsWith("rank ")).sort();
    expect(lines.map((line) => line.replace(/ job=.*/, ""))).toEqual(
      [0, 1, 2, 3, 4, 5].map((rank) => `rank ${rank} of 6 on n${Math.floor(rank / 2) + 1} sum=21`),
    );
    expect(run.stderr).not.toMatch(/tsmpirun: host/);
    console.log(`salloc -N3 -n6 tsmpirun hello: ${run.seconds.toFixed(2)} s`);
  });

  test("heat gives the same final mean and checksum as -n 6 on one host", async () => {
    const heatArgs = ["--nx", "256", "--ny", "256", "--steps", "100", "--checksum"];
    const [onSlurm, onOneHost] = await Promise.all([
      salloc(["-N3", "-n6"], [exampleProgram("heat.ts"), ...heatArgs]),
      runTsmpirun(["-n", "6", exampleProgram("heat.ts"), ...heatArgs]),
    ]);
    expect(onSlurm.exitCode, explain(onSlurm)).toBe(0);
    expect(onOneHost.exitCode, onOneHost.stderr).toBe(0);
    const result = (stdout: string): string[] => stdout.split("\n").filter((line) => /^(final mean|checksum)/.test(line));
    expect(result(onSlurm.stdout)).toHaveLength(2);
    expect(result(onSlurm.stdout)).toEqual(result(onOneHost.stdout));
  });

  test("a rank on another host that exits 3 ends the job with exit code 3, and nothing is left on any host", async () => {
    const run = await salloc(["-N3", "-n6"], [fixture("slurm-behave.ts"), "exit:5:3", "--wait"]);
    expect(run.exitCode, explain(run)).toBe(3);
    expect(run.stderr).toMatch(/rank 5 of 6 on n3 \(pid \d+\) exited with code 3/);
    expect(await noneLeft(jobIdFrom(run.stdout))).toEqual({ processes: [], segments: [] });
    console.log(`salloc: remote exit 3 ended in ${run.seconds.toFixed(2)} s`);
  });

  test("in an sbatch batch script (which runs on the allocation's first host) as in salloc", () => withClusterShared(async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsmpi-sbatch-"));
    const output = join(dir, "job.out");
    const started = performance.now();
    const submitted = spawnSync(
      "sbatch",
      ["--parsable", "-N3", "-n6", "-o", output, "--wrap", `${process.execPath} ${tsmpirun} ${fixture("slurm-behave.ts")}`],
      { cwd: repoRoot, env: { ...process.env, SLURM_CONF: slurmConf }, encoding: "utf8", timeout: 60_000 },
    );
    expect(submitted.status, submitted.stderr).toBe(0);
    // `sbatch --wait` polls every 10 s; squeue answers at once.
    const jobId = submitted.stdout.trim();
    const queued = (): boolean =>
      spawnSync("squeue", ["-h", "-j", jobId], { env: { ...process.env, SLURM_CONF: slurmConf }, encoding: "utf8" }).stdout.trim() !== "";
    for (let waited = 0; queued() && waited < 60_000; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = readFileSync(output, "utf8").split("\n").filter((line) => line.startsWith("rank ")).sort();
    expect(lines.map((line) => line.replace(/ job=.*/, ""))).toEqual(
      [0, 1, 2, 3, 4, 5].map((rank) => `rank ${rank} of 6 on n${Math.floor(rank / 2) + 1} sum=21`),
    );
    rmSync(dir, { recursive: true, force: true });
    console.log(`sbatch -N3 -n6 tsmpirun hello, submission to end: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  }));

  test("within a job step (srun inside salloc) the agents' steps overlap it instead of waiting for it", async () => {
    const run = await salloc(["-N3", "-n6"], [fixture("slurm-behave.ts")], ["srun", "-N1", "-n1"]);
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.stdout.split("\n").filter((line) => line.startsWith("rank "))).toHaveLength(6);
  });
});
