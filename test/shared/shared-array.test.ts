import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jobIdFrom, jobProcesses, jobSegments } from "../helpers/processes.ts";
import { explain, RANK_COUNTS, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

/** This job's POSIX shared memory segments that appeared since `before`. */
function leftovers(before: string[], jobId: string): string[] {
  return jobSegments(jobId).filter((name) => !before.includes(name));
}

describe("SharedArray", () => {
  it.each(RANK_COUNTS)("each rank writes its localRange, and after a barrier every rank reads all of them at np %i", async (np) => {
    const before = readdirSync("/dev/shm");
    const result = await runFixturePassing("shared-visibility.ts", np);
    const lines = stdoutLines(result).sort();
    expect(lines).toHaveLength(np);
    lines.forEach((line, rank) => expect(line).toMatch(new RegExp(`rank=${rank} ok size=${np} range=\\d+\\.\\.\\d+$`)));
    expect(leftovers(before, jobIdFrom(lines[0]!))).toEqual([]);
  });

  it("tsmpirun removes a segment of the job that a SIGKILLed rank left in /dev/shm", async () => {
    const before = readdirSync("/dev/shm");
    const result = await runFixture("shared-stray-segment.ts", 2);
    expect(result.exitCode, explain(result)).toBe(137);
    expect(leftovers(before, result.jobId)).toEqual([]);
  });

  it("leaves no segment when a rank is killed while the creator waits for it inside create()", async () => {
    const before = readdirSync("/dev/shm");
    const result = await runFixture("shared-crash.ts", 3, { args: ["--mode", "window"] });
    expect(result.exitCode, explain(result)).toBe(137);
    const output = stdoutLines(result).join("\n");
    const jobId = jobIdFrom(output);
    // The segment did exist (rank 1 saw it) before the job died.
    expect(output).toMatch(new RegExp(`rank 1 saw tsmpi-${jobId}-`));
    expect(leftovers(before, jobId)).toEqual([]);
    expect(jobProcesses(jobId)).toEqual([]);
  });

  it.each([
    ["after", 137],
    ["throw", 1],
  ])("leaves no segment when the job fails after create() (mode %s, exit %i)", async (mode, exitCode) => {
    const before = readdirSync("/dev/shm");
    const result = await runFixture("shared-crash.ts", 3, { args: ["--mode", mode] });
    expect(result.exitCode, explain(result)).toBe(exitCode);
    const jobId = jobIdFrom(stdoutLines(result).join("\n"));
    expect(leftovers(before, jobId)).toEqual([]);
  });

  it("refuses with ERR_COMM on every rank when the ranks are on several hosts, naming them", async () => {
    const before = readdirSync("/dev/shm");
    const result = await runFixturePassing("shared-hosts.ts", 3);
    const lines = stdoutLines(result);
    const errors = lines.filter((line) => !line.startsWith("job=")).sort();
    expect(errors).toEqual(
      [0, 1, 2].map((rank) =>
        expect.stringMatching(
          new RegExp(`^rank ${rank}: ERR_COMM rank ${rank}: SharedArray.create\\(\\): shared memory needs every rank .* on one host \\(size 3\\): ranks 0, 1 on \\S+; rank 2 on elsewhere`),
        ),
      ),
    );
    expect(leftovers(before, jobIdFrom(lines.join("\n")))).toEqual([]);
  });
});
