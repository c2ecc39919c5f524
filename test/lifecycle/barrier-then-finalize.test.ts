/**
 * Ranks that reach a final barrier at different times and then finalize all get out of it,
 * whether they `process.exit(0)` right after finalize or let the program end: a rank stuck in the
 * barrier shows as a job that hits its --timeout (exit 124). Several runs per ending, since a lost
 * message shows in some runs only (13 of 24 at 8 ranks, before finalize flushed its links).
 */
import { describe, expect, it } from "vitest";
import { explain, runFixture } from "../helpers/jobs.ts";

const RUNS = 3;

describe("a final barrier reached at different times, then finalize", () => {
  it.each(["exit", "natural"] as const)("every rank gets out of it (%s), every time", async (ending) => {
    for (let attempt = 1; attempt <= RUNS; attempt++) {
      const result = await runFixture("barrier-then-exit.ts", 8, { args: [ending, "200"], timeout: 30 });
      expect(result.exitCode, `attempt ${attempt}\n${explain(result)}`).toBe(0);
      expect(result.ranks[0]?.stdout).toContain("all out");
    }
  });
});
