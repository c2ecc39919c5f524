/**
 * `tsmpirun --as-rank PROGRAM [ARGS]`, the command of a rank that something else starts (srun, the
 * Kubernetes Job): it bundles PROGRAM and runs it in its place, with this environment and stdio, and
 * leaves with the rank's exit status. The wire-up modes themselves are tested where they run
 * (test/slurm/srun-direct.test.ts, test/k8s/discovery.test.ts); here there is no job, so the rank
 * is a world of one.
 */
import { describe, expect, test } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { jobProcesses } from "../helpers/processes.ts";
import { runTsmpirun, startTsmpirun } from "../helpers/tsmpirun.ts";

const DEFAULT_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728:glibc.cpu.x86_non_temporal_threshold=1048576";

describe("tsmpirun --as-rank", () => {
  test("runs the bundled program once, with its arguments, this environment and the ranks' defaults", async () => {
    const run = await runTsmpirun(["--as-rank", fixture("env"), "--nx", "10", "-n", "3"], { env: { COPIED: "from the caller" } });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      args: ["--nx", "10", "-n", "3"],
      exported: { COPIED: "from the caller" },
      defaults: { GLIBC_TUNABLES: DEFAULT_TUNABLES, MSGPACKR_NATIVE_ACCELERATION_DISABLED: "true" },
    });
    // Nothing of tsmpirun's own wire-up: the job, if any, is whatever started this process.
    expect(JSON.parse(lines[0] ?? "")).not.toHaveProperty("rendezvous");
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("a rank program with no job around it is a world of one rank", async () => {
    const run = await runTsmpirun(["--as-rank", fixture("hello-hosts")]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^rank 0 of 1 on \S+ sum=1\n$/);
  });

  test.each([
    ["0:exit:3", 3],
    ["0:kill", 137],
  ])("leaves with the rank's exit status (%s: %i)", async (directive, code) => {
    const run = await runTsmpirun(["--as-rank", fixture("behave"), directive], { env: { TSMPI_RANK: "0" } });
    expect(run.exitCode).toBe(code);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("passes SIGTERM on to the rank (a pod's PID 1 gets it from kubelet) and exits 143, leaving no process", async () => {
    const marker = `as-rank-${process.pid}-${Date.now()}`;
    const running = startTsmpirun(["--as-rank", fixture("behave")], { env: { TSMPI_RANK: "0", TSMPI_JOB_ID: marker } });
    await running.waitForStdout(/rank=0 ready/);
    expect(jobProcesses(marker)).toHaveLength(2);
    running.child.kill("SIGTERM");
    const run = await running.result;
    expect(run.exitCode).toBe(143);
    expect(jobProcesses(marker)).toEqual([]);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test.each([
    [["--as-rank", "-n", "2", fixture("env")], "--as-rank takes no other option (got --np)"],
    [["-x", "A=1", "--as-rank", fixture("env")], "--as-rank takes no other option (got -x)"],
    [["--as-rank"], "missing PROGRAM to run"],
  ])("%j is a usage error (exit 2)", async (args, message) => {
    const run = await runTsmpirun(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`tsmpirun: ${message}`);
    expect(run.stdout).toBe("");
  });

  test("a missing program exits 1 and starts nothing", async () => {
    const run = await runTsmpirun(["--as-rank", "test/fixtures/no-such-program.ts"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('tsmpirun: cannot find the program "test/fixtures/no-such-program.ts"');
    expect(run.stderr).toContain("no rank was started");
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("--help lists it with the srun command line", async () => {
    const run = await runTsmpirun(["--help"]);
    expect(run.stdout).toContain("tsmpirun --as-rank PROGRAM [ARGS...]");
    expect(run.stdout).toMatch(/--as-rank {2,}run one rank of PROGRAM/);
    expect(run.stdout).toContain("srun --mpi=pmi2 -n 6 npx tsmpirun --as-rank prog.ts");
  });
});
