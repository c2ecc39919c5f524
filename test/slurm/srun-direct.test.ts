/**
 * Ranks that Slurm starts and nobody else supervises: `srun --mpi=pmi2 -N3 -n6 tsmpirun --as-rank
 * PROGRAM` on the three-host test cluster of test/cluster/up.sh. init() wires up through Slurm's
 * PMI-2 server; ranks of one host meet over Unix sockets and shared memory, the others over tcp
 * (plain, or CURVE with the key of TSMPI_KEY_FILE).
 * Without --mpi=pmi2 the tasks must refuse to run as separate worlds of one rank.
 *
 * Skipped, with the reason printed, when srun or the cluster's slurm.conf is missing, except with
 * CI=true (the rule of pmi2-client.test.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { curveKeyPair } from "zeromq";
import { repoRoot } from "../helpers/paths.ts";
import { explainSrun, requireSlurm, runSrun, skipWithoutSlurm, type SrunResult } from "../helpers/slurm.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

const skip = skipWithoutSlurm("test/slurm/srun-direct.test.ts");
const asRank = [process.execPath, join(repoRoot, "packages/launcher/bin/tsmpirun.js"), "--as-rank"];
/** The tasks' TMPDIR (srun passes the environment on): what a rank leaves there is visible. */
const tasksTmp = mkdtempSync(join(tmpdir(), "tsmpi-srun-test-"));
/** Where the test keeps a job key file (apart from tasksTmp, which must end up empty). */
const keyDir = mkdtempSync(join(tmpdir(), "tsmpi-srun-key-"));
const HEAT = ["programs/heat.ts", "--nx", "256", "--ny", "256", "--steps", "100", "--checksum"];

/** `srun --mpi=pmi2 -N3 -n6 tsmpirun --as-rank PROGRAM ARGS`, exactly as a user would type it (no --kill-on-bad-exit). */
function srunAsRank(srunArgs: readonly string[], program: readonly string[], env: Record<string, string> = {}): Promise<SrunResult> {
  return runSrun(srunArgs, [...asRank, ...program], { env: { ...env, TMPDIR: tasksTmp }, timeoutMs: 30_000 });
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

describe.skipIf(skip)("ranks started by srun, with no tsmpirun supervising them", () => {
  beforeAll(() => requireSlurm());
  afterAll(() => {
    rmSync(tasksTmp, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  });

  test("srun --mpi=pmi2 -N3 -n6: every rank knows its rank, size and host, and an allreduce across hosts sums", async () => {
    const run = await srunAsRank(["--mpi=pmi2", "-N3", "-n6"], ["test/fixtures/hello-hosts.ts"]);
    expect(run.exitCode, explainSrun(run)).toBe(0);
    expect(run.leftovers).toEqual([]);
    const byRank = lines(run.stdout)
      .map((line) => /^rank (\d) of 6 on (n[123]) sum=21$/.exec(line))
      .map((match) => {
        if (match === null) throw new Error(`unexpected output:\n${explainSrun(run)}`);
        return { rank: Number(match[1]), host: match[2] };
      })
      .sort((a, b) => a.rank - b.rank);
    expect(byRank.map(({ rank }) => rank)).toEqual([0, 1, 2, 3, 4, 5]);
    // Slurm's block distribution: two consecutive ranks on each of the three hosts.
    const hosts = byRank.map(({ host }) => host);
    expect(new Set(hosts).size).toBe(3);
    expect([hosts[0], hosts[2], hosts[4]]).toEqual([hosts[1], hosts[3], hosts[5]]);
    // Each rank removed its private socket directory (and tsmpirun --as-rank its scratch).
    expect(readdirSync(tasksTmp)).toEqual([]);
  });

  test("heat on 6 ranks over three hosts ends bitwise where tsmpirun -n 6 on one host does", async () => {
    const [spread, local] = await Promise.all([srunAsRank(["--mpi=pmi2", "-N3", "-n6"], HEAT), runTsmpirun(["-n", "6", ...HEAT])]);
    expect(spread.exitCode, explainSrun(spread)).toBe(0);
    expect(local.exitCode, local.stderr).toBe(0);
    const result = (stdout: string) => lines(stdout).filter((line) => /^(final mean temperature|checksum) /.test(line));
    expect(result(local.stdout)).toHaveLength(2);
    expect(result(spread.stdout)).toEqual(result(local.stdout));
    expect(spread.stdout).toContain("6 ranks as 3 x 2");
    expect(spread.leftovers).toEqual([]);
  });

  test("with TSMPI_KEY_FILE (CURVE across hosts), a program that never calls finalize still delivers 16 MiB, and every task exits", async () => {
    const keyFile = join(keyDir, "job.key");
    writeFileSync(keyFile, JSON.stringify(curveKeyPair()), { mode: 0o600 });
    const run = await srunAsRank(["--mpi=pmi2", "-N3", "-n3"], ["test/fixtures/no-finalize.ts"], { TSMPI_KEY_FILE: keyFile });
    expect(run.exitCode, explainSrun(run)).toBe(0);
    expect(lines(run.stdout).sort()).toEqual(["rank 0 returns without finalize", "rank 1 got everything", "rank 2 got everything"]);
    expect(run.leftovers).toEqual([]);
  });

  test("a rank that throws ends the whole step: its error on stderr, srun non-zero, no task left", async () => {
    // Rank 1 throws after a barrier; the other five wait in a receive that never completes.
    const run = await srunAsRank(["--mpi=pmi2", "-N3", "-n6"], ["test/fixtures/fail-throw.ts", "--rank", "1"]);
    expect(run.exitCode, explainSrun(run)).not.toBe(0);
    expect(run.stderr).toMatch(/rank 1 of 6 on n[123]: Error: boom from rank 1\n\s+at explode \(.*test\/fixtures\/fail-throw\.ts:\d+:\d+\)/);
    expect(run.leftovers).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(15_000);
  });

  test("a rank SIGKILLed after init leaves no shared-memory name: nobody would remove one, so the inboxes lose theirs during init", async () => {
    const run = await srunAsRank(["--mpi=pmi2", "-N1", "-n2", "--kill-on-bad-exit=1"], ["test/fixtures/inbox-names.ts", "kill", "--after-names-go"]);
    expect(run.exitCode, explainSrun(run)).not.toBe(0);
    expect(run.stdout, explainSrun(run)).toContain("segments=none");
    const jobId = /job=(\S+)/.exec(run.stdout)?.[1];
    expect(jobId, explainSrun(run)).toBeDefined();
    expect(readdirSync("/dev/shm").filter((name) => name.startsWith(`tsmpi-${jobId}-`))).toEqual([]);
    expect(run.leftovers).toEqual([]);
  });

  test("srun -n 4 without PMI-2: every task refuses, naming srun --mpi=pmi2, and none runs alone", async () => {
    // --mpi=none: as on a cluster whose MpiDefault is none (this one's), whatever the default here.
    const run = await srunAsRank(["--mpi=none", "-N2", "-n4"], ["test/fixtures/hello-hosts.ts"]);
    expect(run.exitCode, explainSrun(run)).not.toBe(0);
    expect(run.stdout).toBe("");
    const refusals = run.stderr.match(/TsmpiError \[ERR_WIREUP\]: init\(\): this process is one of 4 tasks of Slurm step \d+\.\d+, started without a PMI-2 server .*`srun --mpi=pmi2 \.\.\.`/g);
    expect(refusals, explainSrun(run)).toHaveLength(4);
    expect(run.leftovers).toEqual([]);
  });
});
