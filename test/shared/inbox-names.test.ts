/**
 * The names of the same-host inboxes (transport/inbox.ts) in /dev/shm: peers map an inbox on their
 * first message to it, not at init, so a name goes once every other rank of the host has sent to
 * its rank, else at that rank's finalize; and nothing of the job is left however it ends.
 */
import { describe, expect, it } from "vitest";
import { explain, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";
import { jobIdFrom, jobProcesses, jobSegments } from "../helpers/processes.ts";

const ranks = (np: number): number[] => Array.from({ length: np }, (_, rank) => rank);
const listed = (numbers: readonly number[]): string => (numbers.length === 0 ? "none" : numbers.join(","));
const matching = (lines: readonly string[], pattern: RegExp): string[] => lines.filter((line) => pattern.test(line)).sort();

describe("same-host inbox names", () => {
  it.each([1, 2, 3, 4, 5])("are gone before finalize once every rank has sent to every other, at np %i", async (np) => {
    const result = await runFixturePassing("inbox-names.ts", np, { args: ["everyone"] });
    const lines = stdoutLines(result);
    expect(matching(lines, /inbox names left=/)).toEqual(ranks(np).map((rank) => `rank ${rank} inbox names left=none`).sort());
    expect(matching(lines, /after finalize=/)).toEqual(ranks(np).map((rank) => `rank ${rank} own inbox name after finalize=already gone`).sort());
    expect(jobSegments(jobIdFrom(lines.join("\n")))).toEqual([]);
  });

  // The last rank never sends: every other rank's inbox keeps its name until that rank finalizes.
  it.each([2, 3, 4, 5])("stay while a rank of the host has not sent, and go at the receiver's finalize, at np %i", async (np) => {
    const result = await runFixturePassing("inbox-names.ts", np, { args: ["silent"] });
    const lines = stdoutLines(result);
    const silent = np - 1;
    expect(matching(lines, /inbox names left=/)).toEqual([`rank ${silent} inbox names left=${listed(ranks(np - 1))}`]);
    const expected = ranks(np).map((rank) => `rank ${rank} own inbox name after finalize=${rank === silent ? "already gone" : "gone"}`);
    expect(matching(lines, /after finalize=/)).toEqual(expected.sort());
    expect(jobSegments(jobIdFrom(lines.join("\n")))).toEqual([]);
  });

  it("are never made with TSMPI_SHM=0", async () => {
    const result = await runFixturePassing("inbox-names.ts", 3, { args: ["silent"], env: { TSMPI_SHM: "0" } });
    const lines = stdoutLines(result);
    expect(matching(lines, /inbox names left=/)).toEqual(["rank 2 inbox names left=none"]);
    expect(matching(lines, /after finalize=/)).toEqual(ranks(3).map((rank) => `rank ${rank} own inbox name after finalize=already gone`));
  });

  it.each([3, 5])("are all gone, with every process, after a rank is SIGKILLed before any message, at np %i", async (np) => {
    const result = await runFixture("inbox-names.ts", np, { args: ["kill"], timeout: 60 });
    expect(result.exitCode, explain(result)).toBe(137);
    expect(result.timedOut).toBe(false);
    const lines = stdoutLines(result);
    // Nobody had sent: every inbox still had its name when the rank died.
    expect(lines).toContain(`segments=${listed(ranks(np))}`);
    const jobId = jobIdFrom(lines.join("\n"));
    expect(jobSegments(jobId)).toEqual([]);
    expect(jobProcesses(jobId)).toEqual([]);
  });
});
