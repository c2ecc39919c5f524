import { describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { startTsmpirun } from "../helpers/tsmpirun.ts";
import { explain, runFixture, stdoutLines } from "../helpers/jobs.ts";
import { jobIdFrom, jobProcesses } from "../helpers/processes.ts";

describe("a failing rank ends the whole job", () => {
  it("an uncaught exception: exit 1, the report names the rank, the message and the stack, nothing is left", async () => {
    const result = await runFixture("fail-throw.ts", 3, { args: ["--rank", "1"] });
    expect(result.exitCode, explain(result)).toBe(1);
    expect(result.failure).toMatch(/rank 1 of 3 on \S+/);
    expect(result.failure).toContain("Error: boom from rank 1");
    // The stack is source-mapped to the TypeScript program.
    expect(result.failure).toMatch(/explode .*fail-throw\.ts:\d+/);
    expect(result.ranks[1]?.error?.message).toBe("boom from rank 1");
    expect(result.ranks[1]?.endedByLauncher).toBe(false);
    expect(result.ranks[0]?.endedByLauncher).toBe(true);
    expect(result.ranks[2]?.endedByLauncher).toBe(true);
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  it("an unhandled rejection is reported like an exception", async () => {
    const result = await runFixture("fail-throw.ts", 2, { args: ["--rank", "1", "--reject"] });
    expect(result.exitCode, explain(result)).toBe(1);
    expect(result.failure).toContain("RangeError: rejected on rank 1");
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  it("the lowest rank's exception is reported when rank 0 throws over tcp", async () => {
    const result = await runFixture("fail-throw.ts", 4, { args: ["--rank", "0"], transport: "tcp" });
    expect(result.exitCode, explain(result)).toBe(1);
    expect(result.failure).toMatch(/rank 0 of 4 on \S+/);
    expect(result.failure).toContain("boom from rank 0");
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  it("abort(3) ends every rank and the job exits 3, naming the rank and the reason", async () => {
    const result = await runFixture("fail-abort.ts", 3);
    expect(result.exitCode, explain(result)).toBe(3);
    expect(result.failure).toContain("rank 1 called abort(3): the input was bad");
    expect(result.ranks.map((rank) => rank.stdout).join("")).not.toContain("unreachable");
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  it("a rank killed by SIGKILL while others wait for it: exit 137, named, nothing left", async () => {
    const result = await runFixture("fail-kill.ts", 3);
    expect(result.exitCode, explain(result)).toBe(137);
    expect(result.failure).toMatch(/rank 1 of 3 .*SIGKILL/);
    expect(result.ranks[1]?.signal).toBe("SIGKILL");
    expect(result.ranks[1]?.endedByLauncher).toBe(false);
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  it("a rank that exits without calling init while the others wait in init fails the job", async () => {
    const result = await runFixture("partial-init.ts", 3);
    expect(result.exitCode, explain(result)).not.toBe(0);
    expect(result.failure).toMatch(/rank 0 .*exited before completing init\(\)/);
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  it("--timeout ends ranks blocked in a receive: exit 124, the running ranks named", async () => {
    const result = await runFixture("hang.ts", 3, { timeout: 3 });
    expect(result.exitCode, explain(result)).toBe(124);
    expect(result.timedOut).toBe(true);
    expect(result.failure).toMatch(/timed out after 3 ?s; ranks still running: 0, 1, 2/);
    expect(jobProcesses(result.jobId)).toEqual([]);
  });

  it("SIGINT to tsmpirun while ranks wait in a receive ends them all: exit 130, job dir removed", async () => {
    const running = startTsmpirun(["-n", "3", fixture("hang.ts")]);
    await running.waitForStdout(/all ranks waiting/);
    const jobId = jobIdFrom(await running.waitForStdout(/job=\w+/).then((match) => match[0]));
    expect(jobProcesses(jobId).length).toBeGreaterThanOrEqual(3);
    running.child.kill("SIGINT");
    const result = await running.result;
    expect(result.exitCode).toBe(130);
    expect(jobProcesses(jobId)).toEqual([]);
    expect(result.tmpLeftovers).toEqual([]);
  });
});

describe("finishing without finalize", () => {
  it.each([2, 4])("a program that returns without finalize exits 0 once its messages are delivered, at np %i", async (np) => {
    const result = await runFixture("no-finalize.ts", np);
    expect(result.exitCode, explain(result)).toBe(0);
    expect(stdoutLines(result).sort()).toEqual(
      ["rank 0 returns without finalize", ...Array.from({ length: np - 1 }, (_, i) => `rank ${i + 1} got everything`)].sort(),
    );
  });
});

describe("collective mismatches that no later call would reveal", () => {
  it("a job whose ranks end in different collectives fails with ERR_COLL_MISMATCH instead of exiting 0", async () => {
    const result = await runFixture("coll-mismatch-last.ts", 2, { timeout: 30 });
    expect(result.exitCode, explain(result)).toBe(1);
    expect(result.failure).toContain("ERR_COLL_MISMATCH");
    expect(result.failure).toMatch(/rank [01]/);
  });
});
