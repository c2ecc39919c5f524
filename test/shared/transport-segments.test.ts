import { describe, expect, it } from "vitest";
import { jobIdFrom, jobProcesses, jobSegments } from "../helpers/processes.ts";
import { explain, runFixture, stdoutLines } from "../helpers/jobs.ts";

describe("shared memory of the transport and the collectives", () => {
  it("is gone, with every process of the job, after a rank is SIGKILLed in a shared-memory collective", async () => {
    const result = await runFixture("shm-kill.ts", 3, { timeout: 60 });
    expect(result.exitCode, explain(result)).toBe(137);
    expect(result.timedOut).toBe(false);
    const output = stdoutLines(result).join("\n");
    const jobId = jobIdFrom(output);
    // The dead rank's ring to rank 2 was never mapped, so its name was still there when it died.
    // Names carry the host identity (16 hex digits) after the job id. Inboxes that some rank has not
    // sent to yet are listed too (transport/inbox.ts).
    expect(output).toMatch(new RegExp(`segments=\\S*tsmpi-${jobId}-[0-9a-f]{16}-ring-1-2`));
    expect(jobSegments(jobId)).toEqual([]);
    expect(jobProcesses(jobId)).toEqual([]);
  });
});
