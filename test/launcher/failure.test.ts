import { hostname } from "node:os";
import { describe, expect, test } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun, startTsmpirun } from "../helpers/tsmpirun.ts";
import { jobIdFrom, jobProcesses } from "../helpers/processes.ts";

const host = hostname();

/** Waits until all `np` ranks of a behave.ts job printed `ready`; returns the job id. */
async function allReady(running: ReturnType<typeof startTsmpirun>, np: number): Promise<string> {
  for (let rank = 0; rank < np; rank++) await running.waitForStdout(new RegExp(`rank=${rank} ready`));
  return jobIdFrom((await running.waitForStdout(/job=[0-9a-f]+/))[0]);
}

describe("when a rank fails, tsmpirun ends the job", () => {
  test("a rank exiting with 3 makes tsmpirun exit 3, naming the rank, and ends the others", async () => {
    const run = await runTsmpirun(["-n", "4", fixture("behave"), "2:exit:3@300"]);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`tsmpirun: rank 2 of 4 on ${host} \\(pid \\d+\\) exited with code 3`));
    expect(run.stderr).not.toMatch(/rank [013] of 4/);
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("a rank killed by SIGKILL makes tsmpirun exit 137", async () => {
    const run = await runTsmpirun(["-n", "3", fixture("behave"), "1:kill@300"]);
    expect(run.exitCode).toBe(137);
    expect(run.stderr).toMatch(/tsmpirun: rank 1 of 3 on \S+ \(pid \d+\) was killed by signal SIGKILL/);
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("a rank throwing exits 1 with the rank named and its stack on stderr", async () => {
    const run = await runTsmpirun(["-n", "2", fixture("behave"), "1:throw@300"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("Error: rank 1 failed on purpose");
    // Source maps: the stack names the TypeScript source, not the bundle.
    expect(run.stderr).toMatch(/test\/fixtures\/behave\.ts:\d+:\d+/);
    expect(run.stderr).toMatch(/tsmpirun: rank 1 of 2 on \S+ \(pid \d+\) exited with code 1/);
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
  });

  test("ranks the launcher had to signal do not decide the exit code, even if they ignore SIGTERM", async () => {
    // Rank 1 ignores SIGTERM, so it dies of SIGKILL after the grace period: still exit 5, from rank 3.
    const run = await runTsmpirun(["-n", "4", fixture("behave"), "1:stubborn", "3:exit:5@300"]);
    expect(run.exitCode).toBe(5);
    expect(run.stderr).toMatch(/tsmpirun: rank 3 of 4 .* exited with code 5/);
    expect(run.stderr).not.toMatch(/rank 1 of 4/);
    expect(run.stdout).toContain("rank 1 ignores SIGTERM");
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
  });

  test("grandchildren of the ranks are ended too", async () => {
    const run = await runTsmpirun(["-n", "2", fixture("behave"), "0:grandchild", "1:exit:4@500"]);
    expect(run.exitCode).toBe(4);
    expect(run.stdout).toMatch(/grandchild=\d+/);
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
  });

  test("--timeout ends the job with 124 and names the ranks still running", async () => {
    const run = await runTsmpirun(["-n", "4", "--timeout", "1.5", fixture("behave"), "0:exit:0", "2:exit:0"]);
    expect(run.exitCode).toBe(124);
    expect(run.stderr).toContain("tsmpirun: job timed out after 1.5 s; ranks still running: 1, 3");
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s to tsmpirun ends every rank and exits %i", async (signal, code) => {
    const running = startTsmpirun(["-n", "3", fixture("behave")]);
    const jobId = await allReady(running, 3);
    expect(jobProcesses(jobId)).toHaveLength(3);
    running.child.kill(signal);
    const run = await running.result;
    expect(run.exitCode).toBe(code);
    expect(run.stderr).toContain(`tsmpirun: received ${signal}; ended all ranks`);
    expect(jobProcesses(jobId)).toEqual([]);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("a still-open stdin does not keep tsmpirun alive after the ranks exit", async () => {
    const running = startTsmpirun(["-n", "2", fixture("env")]);
    // stdin of tsmpirun stays open (never ended) for the whole run.
    const run = await running.result;
    expect(run.exitCode).toBe(0);
    running.child.stdin?.destroy();
  });
});
