/**
 * Shared-memory collectives meeting in their communicator's region (coll/shared-region.ts), whose
 * last rank releases the others through the generation word (coll/meeting-wait.ts): back-to-back
 * barriers, allreduces and bcasts give the reference results and advance the generation once per
 * meeting, whether the waiters poll, sleep in the futex or sleep on messages; a rank seconds late
 * leaves the others asleep, not polling; a rank SIGKILLed while the others wait ends the job with
 * nothing left behind; and a failure on one rank reaches the others waiting at a meeting.
 */
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import type { JobResult, LaunchOptions } from "@tsmpi/launcher";
import { explain, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";
import { expectEndedByKill } from "../helpers/killed-job.ts";

/** Every collective of the fixture through the region, whatever the selection table would pick. */
const FORCED = { TSMPI_COLL_BARRIER: "shared-memory", TSMPI_COLL_ALLREDUCE: "shared-memory", TSMPI_COLL_BCAST: "shared-memory" };
const ROUNDS = "120";

function backToBack(np: number, env: Record<string, string> = {}, options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  return runFixturePassing("region-meetings.ts", np, { args: [ROUNDS], env: { ...FORCED, ...env }, timeout: 120, ...options });
}

/** Each rank's line: the meetings its calls made, the generation its region reached, the futex. */
function reports(result: JobResult): { rank: number; meetings: number; generation: string; futex: string }[] {
  return stdoutLines(result)
    .filter((line) => line.startsWith("region-meetings ok"))
    .map((line) => {
      const [, rank, meetings, generation, futex] = /rank=(\d+) meetings=(\d+) generation=(\S+) futex=(\S+)/.exec(line)!;
      return { rank: Number(rank), meetings: Number(meetings), generation: generation!, futex: futex! };
    })
    .sort((a, b) => a.rank - b.rank);
}

/** Every rank checked its results, and its region's generation counts exactly its meetings. */
function expectMeetingsThroughTheRegion(result: JobResult, np: number, futex: "loaded" | "no"): void {
  const lines = reports(result);
  expect(lines.map((line) => line.rank), explain(result)).toEqual(Array.from({ length: np }, (_, rank) => rank));
  for (const line of lines) {
    expect(line.meetings, explain(result)).toBeGreaterThan(100);
    expect(line.generation, explain(result)).toBe(String(line.meetings));
    expect(line.futex).toBe(futex);
  }
}

describe("shared-memory collectives meeting through the generation word", () => {
  // The futex addon is loaded only where waits may sleep in it: when the ranks outnumber the cores.
  it.each([2, 3, 4, 5])("give the reference results back to back, one generation per meeting, at np %i", async (np) => {
    expectMeetingsThroughTheRegion(await backToBack(np), np, np > availableParallelism() ? "loaded" : "no");
  });

  it("do the same with 16 ranks on the machine's cores (waiters yield, then sleep in the futex)", async () => {
    expectMeetingsThroughTheRegion(await backToBack(16), 16, "loaded");
  });

  it.each([
    ["never polling (TSMPI_SPIN_US=0)", 4, { TSMPI_SPIN_US: "0" }, "loaded"],
    ["the futex off (TSMPI_FUTEX=0: waiters sleep on messages)", 4, { TSMPI_FUTEX: "0" }, "no"],
    ["the futex forced on every meeting's wait (TSMPI_BLOCK_US=1000, TSMPI_SPIN_US=0)", 3, { TSMPI_BLOCK_US: "1000", TSMPI_SPIN_US: "0" }, "loaded"],
    ["no blocking in the futex (TSMPI_BLOCK_US=0)", 16, { TSMPI_BLOCK_US: "0" }, "no"],
    ["the futex off with 16 ranks (TSMPI_FUTEX=0)", 16, { TSMPI_FUTEX: "0" }, "no"],
  ] as const)("do the same with %s at np %i", async (_, np, env, futex) => {
    expectMeetingsThroughTheRegion(await backToBack(np, env), np, futex);
  });

  it.each([
    ["a world of one rank", 1, {}],
    ["TSMPI_SHM=0", 3, { TSMPI_SHM: "0" }],
  ] as const)("give the same results without a region (%s)", async (_, np, env) => {
    const lines = reports(await backToBack(np, env));
    expect(lines.map((line) => line.generation)).toEqual(new Array<string>(np).fill("none"));
  });
});

describe("a rank waiting at a meeting for one that arrives late", () => {
  const LATE_MS = 600;
  it.each([
    ["polls, then sleeps on messages", 2, {}],
    ["yields, sleeps in the futex, then on messages", 4, { TSMPI_BLOCK_US: "1000" }],
    ["sleeps on messages at once without the futex", 4, { TSMPI_FUTEX: "0", TSMPI_SPIN_US: "0" }],
  ] as const)("%s (np %i), using little CPU, in a barrier, an allreduce and bcasts", async (_, np, env) => {
    const result = await runFixturePassing("region-meetings.ts", np, { args: ["--late", String(LATE_MS)], env: { ...FORCED, ...env }, timeout: 60 });
    const lines = stdoutLines(result).map((line) => JSON.parse(line) as { case: string; rank: number; waitedMs: number; cpuMs: number; generation: number });
    // Four cases, every rank but the late one reporting each.
    expect(lines.length, explain(result)).toBe(4 * (np - 1));
    const generations = new Map([
      ["barrier", 2],
      ["allreduce", 4],
      ["bcast from a late root", 6],
      ["bcast to a late rank", 8],
    ]);
    for (const line of lines) {
      // The late rank slept LATE_MS before its call, so the others waited about that long.
      expect(line.waitedMs, explain(result)).toBeGreaterThan(LATE_MS / 2);
      // A sanity bound, not a timing goal: a rank that polled would use about all of the wait.
      expect(line.cpuMs, explain(result)).toBeLessThan(line.waitedMs / 5);
      // Each case is a barrier and the call: two meetings.
      expect(line.generation, explain(result)).toBe(generations.get(line.case));
    }
  });
});

describe("a job whose ranks wait at a meeting", () => {
  it.each([
    ["asleep in the futex", {}],
    ["asleep on messages", { TSMPI_FUTEX: "0" }],
    ["polling", { TSMPI_SPIN_US: "100000" }],
  ])("ends when a rank is SIGKILLed while 15 others wait %s, leaving nothing behind", async (_, env) => {
    const result = await runFixture("region-meetings.ts", 16, { args: ["--kill", "5"], env: { ...FORCED, ...env }, timeout: 60 });
    expectEndedByKill(result, 5, 16);
  });

  it.each([
    ["while they poll or sleep in the futex", 16, "5", {}],
    ["while they sleep in the futex", 3, "5", { TSMPI_BLOCK_US: "1000", TSMPI_SPIN_US: "0" }],
    ["while they sleep on messages", 16, "300", {}],
    ["without the futex", 4, "300", { TSMPI_FUTEX: "0" }],
  ] as const)("hears of a failure on another rank %s (np %i): every rank fails the call, and the next call works", async (_, np, delayMs, env) => {
    const result = await runFixture("region-meetings.ts", np, { args: ["--fail", delayMs], env: { ...FORCED, ...env }, timeout: 60 });
    expect(result.exitCode, explain(result)).toBe(0);
    const lines = stdoutLines(result).map((line) => JSON.parse(line) as { rank: number; outcome: string; code: string; message: string; next: string });
    expect(lines.map((line) => line.rank).sort((a, b) => a - b)).toEqual(Array.from({ length: np }, (_, rank) => rank));
    for (const line of lines) {
      expect(line.outcome, explain(result)).toBe("error");
      expect(line.code, line.message).toBe("ERR_SERIALIZE");
      if (line.rank !== 0) expect(line.message).toMatch(/^rank \d+: bcast\(\): collective call #\d+ on this communicator failed on rank 0, so it fails on every rank/);
      expect(line.next).toBe("ok");
    }
  });
});
