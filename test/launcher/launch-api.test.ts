import { describe, expect, test } from "vitest";
import { launch } from "../../packages/launcher/src/index.ts";
import { judgeJob, type RankOutcome } from "../../packages/launcher/src/report.ts";
import { fixture } from "../helpers/paths.ts";
import { jobProcesses } from "../helpers/processes.ts";

describe("launch()", () => {
  test("resolves with one result per rank and the captured output", async () => {
    const result = await launch({ np: 2, program: fixture("env"), args: ["a"], env: { FROM_X: "x" } });
    expect(result.exitCode).toBe(0);
    expect(result.failure).toBeUndefined();
    expect(result.timedOut).toBe(false);
    expect(result.ranks.map((rank) => [rank.rank, rank.exitCode, rank.signal, rank.endedByLauncher])).toEqual([
      [0, 0, null, false],
      [1, 0, null, false],
    ]);
    const rank1 = JSON.parse(result.ranks[1]?.stdout ?? "null");
    expect(rank1).toMatchObject({ rank: 1, size: 2, jobId: result.jobId, args: ["a"], exported: { FROM_X: "x" } });
  });

  test("reports a failed rank in the same shape, with its stderr tail in the failure text", async () => {
    const result = await launch({ np: 2, program: fixture("behave"), args: ["1:throw@200"], killGraceMs: 200 });
    expect(result.exitCode).toBe(1);
    expect(result.ranks[1]).toMatchObject({ exitCode: 1, endedByLauncher: false });
    expect(result.ranks[0]).toMatchObject({ signal: "SIGTERM", endedByLauncher: true });
    expect(result.failure).toMatch(/rank 1 of 2 on \S+ \(pid \d+\) exited with code 1; last lines of its stderr:/);
    expect(result.failure).toContain("Error: rank 1 failed on purpose");
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  test("an AbortSignal ends the job; killGraceMs bounds the wait for ranks ignoring SIGTERM", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort("SIGINT"), 1000);
    const started = Date.now();
    const result = await launch({
      np: 2,
      program: fixture("behave"),
      args: ["0:stubborn", "1:grandchild"],
      signal: controller.signal,
      killGraceMs: 300,
    });
    expect(result.exitCode).toBe(130);
    expect(result.failure).toBe("tsmpirun: received SIGINT; ended all ranks");
    expect(result.ranks[0]).toMatchObject({ signal: "SIGKILL", endedByLauncher: true });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  test.each([
    [{ np: 0, program: "x.ts" }, /launch\(np\): np must be a positive integer, got 0/],
    [{ np: 1.5, program: "x.ts" }, /launch\(np\): np must be a positive integer/],
    [{ np: 2, program: "" }, /launch\(program\)/],
    [{ np: 2, program: "x.ts", transport: "udp" as "tcp" }, /launch\(transport\)/],
    [{ np: 2, program: "x.ts", timeout: 0 }, /launch\(timeout\)/],
  ])("rejects misuse %j", async (options, message) => {
    await expect(launch(options)).rejects.toThrow(message);
  });
});

describe("the exit code of a failed job", () => {
  const outcome = (rank: number, exitCode: number | null, fields: Partial<RankOutcome> = {}): RankOutcome => ({
    rank,
    hostname: "h",
    lostWithHost: undefined,
    pid: 100 + rank,
    status: { exitCode, signal: null },
    endedByLauncher: false,
    error: undefined,
    stderrTail: [],
    ...fields,
  });

  test("is the code of the lowest rank that failed by itself, not the first", () => {
    const verdict = judgeJob(4, { kind: "rank-failed" }, [outcome(0, 0), outcome(1, 5), outcome(2, 0), outcome(3, 7)]);
    expect(verdict.exitCode).toBe(5);
    expect(verdict.failure?.split("\n")).toEqual([
      "tsmpirun: rank 1 of 4 on h (pid 101) exited with code 5",
      "tsmpirun: rank 3 of 4 on h (pid 103) exited with code 7",
    ]);
  });

  test("ignores ranks the launcher signalled, and counts a signal as 128 + its number", () => {
    const verdict = judgeJob(3, { kind: "rank-failed" }, [
      outcome(0, null, { status: { exitCode: null, signal: "SIGTERM" }, endedByLauncher: true }),
      outcome(1, null, { status: { exitCode: null, signal: "SIGSEGV" } }),
      outcome(2, 3),
    ]);
    expect(verdict.exitCode).toBe(139);
  });

  test("is the abort() code when a rank aborted, whatever else failed", () => {
    const verdict = judgeJob(2, { kind: "abort", rank: 1, code: 9, reason: "why" }, [outcome(0, 2), outcome(1, 9)]);
    expect(verdict.exitCode).toBe(9);
    expect(verdict.failure?.split("\n")[0]).toBe("tsmpirun: rank 1 called abort(9): why");
  });
});
