/**
 * The runtime's PMI-2 client (packages/runtime/src/wireup/pmi2.ts) against a real Slurm: ranks
 * started by `srun --mpi=pmi2` on the three-host test cluster of test/cluster/up.sh, with no
 * tsmpirun. The fixture test/fixtures/pmi2-rank.mjs prints one JSON line per step; the tests
 * assert on those lines, on srun's exit status, and that no task outlives its step.
 *
 * Skipped, with the reason printed, when srun or the cluster's slurm.conf is missing, except with
 * CI=true, where a missing Slurm is a failure rather than a silent pass.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { Pmi2Client, pmi2Available } from "../../packages/runtime/src/wireup/pmi2.ts";
import { fixture } from "../helpers/paths.ts";
import { explainSrun, requireSlurm, runSrun as runSrunCommand, skipWithoutSlurm, type SrunResult as SrunRun } from "../helpers/slurm.ts";

const skip = skipWithoutSlurm("test/slurm/pmi2-client.test.ts");

const rankProgram = fixture("pmi2-rank.mjs");
/** Beyond this a run has hung; the abort fixture's ranks would otherwise sleep through it. */
const RUN_TIMEOUT_MS = 60_000;

interface RankLine {
  event: string;
  rank: number;
  host: string;
  [field: string]: unknown;
}

interface SrunResult extends SrunRun {
  lines: RankLine[];
}

describe.skipIf(skip)("PMI-2 client under srun --mpi=pmi2 on three hosts", () => {
  beforeAll(() => {
    requireSlurm();
  });

  test("six ranks put, fence, read every rank's keys and agree on the node of each rank", async () => {
    const run = await runSrun(["-N3", "-n6"], "wireup");
    expect(run.exitCode, explainSrun(run)).toBe(0);
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
    expect(run.exitCode, explainSrun(run)).toBe(0);
    expect(run.leftovers).toEqual([]);
    const checked = byRank(run, "checked");
    expect(checked).toHaveLength(6);
    for (const line of checked) {
      expect(line).toMatchObject({ wrong: [], nodes: [0, 1, 2, 0, 1, 2], mapping: "(vector,(0,3,1),(0,3,1))", consistent: true, myNodeMatches: true });
    }
  });

  test("a rank that never finalizes still exits once its work is done", async () => {
    const run = await runSrun(["-N3", "-n6"], "no-finalize");
    expect(run.exitCode, explainSrun(run)).toBe(0);
    expect(run.leftovers).toEqual([]);
    expect(byRank(run, "fenced").map((line) => line.next)).toEqual(["1", "2", "3", "4", "5", "0"]);
  });

  test("abort from one rank ends every task of the step, though its own fence is still in flight", async () => {
    const run = await runSrun(["-N3", "-n6"], "abort");
    // Slurm kills the step with SIGKILL and srun exits as its tasks did; the code given to abort is lost.
    expect(run.exitCode, explainSrun(run)).toBe(137);
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
  const run = await runSrunCommand(["--mpi=pmi2", "--kill-on-bad-exit=1", ...srunArgs], [process.execPath, rankProgram, mode], { timeoutMs: RUN_TIMEOUT_MS });
  const lines = run.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RankLine);
  return { ...run, lines };
}

/** The lines of one event, one per rank, in rank order. */
function byRank(run: SrunResult, event: string): RankLine[] {
  return run.lines.filter((line) => line.event === event).sort((a, b) => a.rank - b.rank);
}
