import { describe, expect, test } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";
import { jobIdFrom, jobProcesses } from "../helpers/processes.ts";

interface WireupResult {
  rank: number;
  endpoints: string[];
  seconds: string[];
}

function results(stdout: string): WireupResult[] {
  return [...stdout.matchAll(/^result=(.*)$/gm)]
    .map((match) => JSON.parse(match[1] ?? "null") as WireupResult)
    .sort((a, b) => a.rank - b.rank);
}

describe("the rendezvous (put/fence over a zeromq ROUTER)", () => {
  test.each(["ipc", "tcp"])("over %s, after a fence every one of 3 ranks holds all endpoints, and fences can repeat", async (transport) => {
    const run = await runTsmpirun(["-n", "3", "--transport", transport, fixture("rendezvous-rank")]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const endpoints = ["fake://rank/0", "fake://rank/1", "fake://rank/2"];
    expect(results(run.stdout)).toEqual([0, 1, 2].map((rank) => ({ rank, endpoints, seconds: ["0", "10", "20"] })));
  });

  test("a rank exiting 0 without joining the fence fails the job with 1 instead of hanging", async () => {
    const run = await runTsmpirun(["-n", "3", "--timeout", "20", fixture("rendezvous-rank"), "skip:2"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      "tsmpirun: rank 2 exited before completing init() wire-up; the other ranks would wait for it forever",
    );
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("abort(7) from a rank ends the job with 7 and says which rank aborted and why", async () => {
    const run = await runTsmpirun(["-n", "3", fixture("rendezvous-rank"), "abort:1:7"]);
    expect(run.exitCode).toBe(7);
    expect(run.stderr).toContain("tsmpirun: rank 1 called abort(7): rank 1 gave up");
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
  });

  test("an error reported by a rank appears in the failure report with its message and stack", async () => {
    const run = await runTsmpirun(["-n", "3", fixture("rendezvous-rank"), "error:1"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/tsmpirun: rank 1 of 3 on \S+ failed: Error: rank 1 broke during wire-up\n\s+at .*rendezvous-rank\.ts:\d+/);
    expect(jobProcesses(jobIdFrom(run.stdout))).toEqual([]);
  });
});
