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
    // The dead rank's ring to rank 2 was never mapped, so its name was still there when it died
    // (and so may be rank 2's inbox: rank 2 removes its name on a turn of its event loop once every
    // peer has mapped it, and a meeting released through the region may end without one).
    // Names carry the host identity (16 hex digits) after the job id.
    expect(output).toMatch(new RegExp(`segments=(\\S+,)?tsmpi-${jobId}-[0-9a-f]{16}-ring-1-2`));
    expect(jobSegments(jobId)).toEqual([]);
    expect(jobProcesses(jobId)).toEqual([]);
  });
});
