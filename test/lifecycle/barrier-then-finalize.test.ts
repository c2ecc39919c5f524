/**
 * Ranks that reach a final barrier at different times and then finalize all get out of it,
 * whether they `process.exit(0)` right after finalize or let the program end: a rank stuck in the
 * barrier shows as a job that hits its --timeout (exit 124). Several runs per ending, since a lost
 * message shows in some runs only (13 of 24 at 8 ranks, before finalize flushed its links).
 *
 * Finalize must also not wait out its flush timeout: a rank that answers a peer's FLUSH and exits
 * at once may take the answer along, and the peer must see it leave instead (it waited the whole
 * timeout, 10 s, in 5 of 10 runs before). The timeout is raised far above the job's --timeout here,
 * so a finalize that waits for a lost answer hangs the job rather than merely slowing it down.
 */
import { describe, expect, it } from "vitest";
import { explain, runFixture } from "../helpers/jobs.ts";

const RUNS = 3;

describe("a final barrier reached at different times, then finalize", () => {
  it.each(["exit", "natural"] as const)("every rank gets out of it (%s), every time", async (ending) => {
    for (let attempt = 1; attempt <= RUNS; attempt++) {
      const result = await runFixture("barrier-then-exit.ts", 8, {
        args: [ending, "200"],
        timeout: 30,
        env: { TSMPI_FLUSH_TIMEOUT_MS: "600000" },
      });
      expect(result.exitCode, `attempt ${attempt}\n${explain(result)}`).toBe(0);
      expect(result.ranks[0]?.stdout).toContain("all out");
      for (const rank of result.ranks) expect(rank.stdout, `attempt ${attempt}, rank ${rank.rank}\n${explain(result)}`).toContain("finalized");
    }
  });
});
