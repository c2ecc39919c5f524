/**
 * The runtime's PMI-2 client (packages/runtime/src/wireup/pmi2.ts) against a real Slurm: ranks
 * started by `srun --mpi=pmi2` on the three-host test cluster of test/cluster/up.sh, with no
 * tsmpirun. The fixture test/fixtures/pmi2-rank.mjs prints one JSON line per step; the tests
 * assert on those lines, on srun's exit status, and that no task outlives its step.
 *
 * Skipped, with the reason printed, when srun or the cluster's slurm.conf is missing, except with
 * CI=true, where a missing Slurm is a failure rather than a silent pass.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { Pmi2Client, pmi2Available } from "../../packages/runtime/src/wireup/pmi2.ts";
import { fixture, repoRoot } from "../helpers/paths.ts";

const clusterDir = process.env.TSMPI_CLUSTER_DIR ?? "/var/tmp/tsmpi-cluster";
const slurmConf = process.env.SLURM_CONF ?? join(clusterDir, "slurm/slurm.conf");
const srun = onPath("srun");
const slurmMissing =
  srun === undefined ? "srun is not on PATH" : existsSync(slurmConf) ? undefined : `${slurmConf} (SLURM_CONF) does not exist; start test/cluster/up.sh`;
const skip = slurmMissing !== undefined && process.env.CI !== "true";
if (skip) console.warn(`test/slurm/pmi2-client.test.ts skipped: ${slurmMissing}`);

const rankProgram = fixture("pmi2-rank.mjs");
/** Beyond this a run has hung; the abort fixture's ranks would otherwise sleep through it. */
const RUN_TIMEOUT_MS = 60_000;
/** Marks the environment of every task of one run, so that leftovers can be found in /proc. */
const MARKER = "TSMPI_PMI2_TEST_RUN";

interface RankLine {
  event: string;
  rank: number;
  host: string;
  [field: string]: unknown;
}

interface SrunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: RankLine[];
  elapsedMs: number;
  /** Pids of processes of this run still alive once srun has exited (and a short grace). */
  leftovers: number[];
}

describe.skipIf(skip)("PMI-2 client under srun --mpi=pmi2 on three hosts", () => {
  beforeAll(() => {
    if (slurmMissing !== undefined) throw new Error(`CI=true needs Slurm and the test cluster: ${slurmMissing}`);
  });

  test("six ranks put, fence, read every rank's keys and agree on the node of each rank", async () => {
    const run = await runSrun(["-N3", "-n6"], "wireup");
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.leftovers).toEqual([]);

    const inits = byRank(run, "init");
    expect(inits.map((line) => line.rank)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const line of inits) {
      expect(line).toMatchObject({ size: 6, appnum: -1, jobId: inits[0]?.jobId });
    }
    expect(String(inits[0]?.jobId)).toMatch(/^\d+\.\d+$/);
    const hostOf = inits.map((line) => line.host);
    expect(new Set(hostOf).size).toBe(3);

    const checked = byRank(run, "checked");
    expect(checked).toHaveLength(6);
    for (const line of checked) {
      expect(line).toMatchObject({
        wrong: [],
        hosts: hostOf,
        // Slurm's default block distribution: two consecutive ranks per node.
        nodes: [0, 0, 1, 1, 2, 2],
        mapping: "(vector,(0,3,2))",
        consistent: true,
        myNodeMatches: true,
        universeSize: "6",
        missing: null,
        longestFits: null,
      });
      expect(line.tooLong).toMatchObject({ name: "TsmpiError", code: "ERR_ARG" });
      expect(String((line.tooLong as { message: string }).message)).toMatch(
        new RegExp(`^rank ${line.rank}: put\\(value\\): value is 1025 bytes .*at most 1024 \\(PMI2_MAX_VALLEN\\)`),
      );
      expect(line.semicolon).toMatchObject({ name: "TsmpiError", code: "ERR_ARG" });
    }

    const finalized = byRank(run, "finalized");
    expect(finalized).toHaveLength(6);
    for (const line of finalized) expect(line.afterFinalize).toMatchObject({ code: "ERR_STATE" });
  });

  test("a cyclic distribution gives a mapping of several blocks, read as one node per rank in turn", async () => {
    const run = await runSrun(["-N3", "-n6", "--distribution=cyclic"], "wireup");
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.leftovers).toEqual([]);
    const checked = byRank(run, "checked");
    expect(checked).toHaveLength(6);
    for (const line of checked) {
      expect(line).toMatchObject({ wrong: [], nodes: [0, 1, 2, 0, 1, 2], mapping: "(vector,(0,3,1),(0,3,1))", consistent: true, myNodeMatches: true });
    }
  });

  test("a rank that never finalizes still exits once its work is done", async () => {
    const run = await runSrun(["-N3", "-n6"], "no-finalize");
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.leftovers).toEqual([]);
    expect(byRank(run, "fenced").map((line) => line.next)).toEqual(["1", "2", "3", "4", "5", "0"]);
  });

  test("abort from one rank ends every task of the step, though its own fence is still in flight", async () => {
    const run = await runSrun(["-N3", "-n6"], "abort");
    // Slurm kills the step with SIGKILL and srun exits as its tasks did; the code given to abort is lost.
    expect(run.exitCode, explain(run)).toBe(137);
    expect(run.leftovers).toEqual([]);
    expect(run.lines.filter((line) => line.event === "abort-sent").map((line) => line.rank)).toEqual([1]);
    expect(run.lines.filter((line) => line.event === "still-alive")).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(10_000);
  });
});

describe("PMI-2 client without a PMI-2 server", () => {
  test("pmi2Available is false without PMI_FD and true with one, even a malformed one", () => {
    expect(pmi2Available({})).toBe(false);
    expect(pmi2Available({ PMI_FD: "" })).toBe(false);
    expect(pmi2Available({ PMI_FD: "11" })).toBe(true);
    expect(pmi2Available({ PMI_FD: "eleven" })).toBe(true);
  });

  test("connect names what is wrong with the environment", async () => {
    await expect(Pmi2Client.connect({ PMI_FD: "eleven", PMI_RANK: "0", PMI_JOBID: "1.0" })).rejects.toMatchObject({
      code: "ERR_WIREUP",
      message: expect.stringMatching(/PMI_FD="eleven" is not a file descriptor/),
    });
    await expect(Pmi2Client.connect({ PMI_FD: "11" })).rejects.toMatchObject({
      code: "ERR_WIREUP",
      message: expect.stringMatching(/not PMI_RANK or PMI_JOBID/),
    });
  });
});

/** Runs `srun --mpi=pmi2 ARGS node pmi2-rank.mjs MODE` and collects what it printed. */
async function runSrun(srunArgs: readonly string[], mode: string): Promise<SrunResult> {
  const marker = randomBytes(8).toString("hex");
  const started = performance.now();
  const child = spawn(srun ?? "srun", ["--mpi=pmi2", "--kill-on-bad-exit=1", ...srunArgs, process.execPath, rankProgram, mode], {
    cwd: repoRoot,
    env: { ...process.env, SLURM_CONF: slurmConf, [MARKER]: marker },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
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
  const lines = stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RankLine);
  return { exitCode, signal, stdout, stderr, lines, elapsedMs, leftovers };
}

/** The lines of one event, one per rank, in rank order. */
function byRank(run: SrunResult, event: string): RankLine[] {
  return run.lines.filter((line) => line.event === event).sort((a, b) => a.rank - b.rank);
}

function explain(run: SrunResult): string {
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
