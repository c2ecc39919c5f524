import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { blockOf } from "../helpers/state-report.ts";
import { runTsmpirun, startTsmpirun } from "../helpers/tsmpirun.ts";

describe("the state report says what every rank is blocked in", () => {
  test("--timeout on an ANY_SOURCE deadlock names every rank's recv, source, tag and communicator", async () => {
    const run = await runTsmpirun(["-n", "4", "--timeout", "4", fixture("state-deadlock"), "any-source"]);
    expect(run.exitCode).toBe(124);
    expect(run.stderr).toContain("tsmpirun: state of the ranks after 4 s (--timeout):");
    for (let rank = 0; rank < 4; rank++) {
      const block = blockOf(run.stderr, rank);
      expect(block).toMatch(/blocked in recv from ANY_SOURCE, tag ANY_TAG, on world \(waiting \d+\.\d s\)/);
      expect(block).toContain("pending requests: none");
    }
    expect(run.stderr).toMatch(/job timed out after 4 s; ranks still running: 0, 1, 2, 3/);
  });

  test("a head-to-head recv and a barrier: each rank's call, source, tag, pending request and collective number", async () => {
    const run = await runTsmpirun(["-n", "4", "--timeout", "4", "--get-stack-traces", fixture("state-deadlock"), "head-to-head"]);
    expect(run.exitCode).toBe(124);
    const [zero, one, two, three] = [0, 1, 2, 3].map((rank) => blockOf(run.stderr, rank));
    expect(zero).toMatch(/blocked in recv from rank 1, tag 7, on world/);
    expect(one).toMatch(/blocked in recv from rank 0, tag 7, on world/);
    for (const block of [zero, one]) {
      expect(block).toMatch(/pending requests: \ntsmpirun: {7}irecv from ANY_SOURCE, tag 99, on world/);
      // --get-stack-traces: where in the program the call was made.
      expect(block).toMatch(/recv called at:\ntsmpirun: {7}at .*test\/fixtures\/state-deadlock\.ts:\d+:\d+/);
    }
    for (const block of [two, three]) expect(block).toMatch(/blocked in barrier #2 on world \(algorithm [\w-]+\)/);
  });

  test("a synchronous send nobody receives is listed with its destination and tag, and an issend as a pending request", async () => {
    const run = await runTsmpirun(["-n", "3", "--timeout", "3", fixture("state-deadlock"), "ssend"]);
    expect(run.exitCode).toBe(124);
    for (let rank = 0; rank < 3; rank++) {
      const block = blockOf(run.stderr, rank);
      expect(block).toMatch(new RegExp(`blocked in ssend to rank ${(rank + 1) % 3}, tag 3, on world`));
      expect(block).toMatch(new RegExp(`pending requests: \ntsmpirun: {7}issend to rank ${rank}, tag 4, on world`));
    }
  });

  test("SIGUSR1 prints the report while the job goes on, and the job then finishes normally", async () => {
    const dir = mkdtempSync(join(tmpdir(), "state-report-"));
    const file = join(dir, "go");
    try {
      const running = startTsmpirun(["-n", "3", fixture("state-deadlock"), "wait-for-file", file]);
      await running.waitForStdout(/all ranks waiting/);
      // The ranks may still be on their way from the barrier into recv: ask until they are there.
      let report = "";
      for (let attempt = 0; attempt < 50 && !/rank 2 on .*blocked in recv/.test(report); attempt++) {
        const before = running.stderrSoFar().length;
        running.child.kill("SIGUSR1");
        while (!running.stderrSoFar().slice(before).includes("tsmpirun: rank 2 on")) await new Promise((resolve) => setTimeout(resolve, 50));
        report = running.stderrSoFar().slice(before);
      }
      expect(report).toContain("state of the ranks (on request; the job goes on):");
      expect(blockOf(report, 0)).toMatch(/not blocked in a tsmpi call/);
      expect(blockOf(report, 1)).toMatch(/blocked in recv from rank 0, tag 5, on world/);
      expect(blockOf(report, 2)).toMatch(/blocked in recv from rank 0, tag 5, on world/);
      writeFileSync(file, "");
      const result = await running.result;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("rank 1 got go");
      expect(result.stdout).toContain("rank 2 got go");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
