/**
 * What a test of a rank SIGKILLed while the others wait checks: the job ends with 137 (tsmpirun
 * passes on the signal), names the rank, and leaves no process and no shared-memory segment.
 */
import { expect } from "vitest";
import type { JobResult } from "@tsmpi/launcher";
import { explain, stdoutLines } from "./jobs.ts";
import { jobIdFrom, jobProcesses, jobSegments } from "./processes.ts";

/** Asserts the above of `result`, whose rank `victim` of `np` died; its fixture printed `job=<id>`. */
export function expectEndedByKill(result: JobResult, victim: number, np: number): void {
  expect(result.exitCode, explain(result)).toBe(137);
  expect(result.timedOut).toBe(false);
  expect(result.failure, explain(result)).toMatch(new RegExp(`rank ${victim} of ${np} .*killed by signal SIGKILL`));
  expect(result.ranks[victim]?.signal).toBe("SIGKILL");
  const jobId = jobIdFrom(stdoutLines(result).join("\n"));
  expect(jobSegments(jobId)).toEqual([]);
  expect(jobProcesses(jobId)).toEqual([]);
}
