/**
 * Same-host messages through the shared-memory queues (transport/same-host.ts): every size class
 * beside the socket and ring paths, wildcards across all of them and sends to self, in order; the
 * queue filled past its capacity; 16 ranks on 2 cores (futex wake-ups) and the doorbell instead;
 * and a rank SIGKILLed while the others poll, or sleep in the futex or on the socket.
 */
import { describe, expect, it } from "vitest";
import { runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";
import { expectEndedByKill } from "../helpers/killed-job.ts";

interface RankReport {
  rank: number;
  inboxes: string;
  futex: boolean;
  cores: number;
}

/** Each rank's closing line, in rank order; fails unless every rank of the `np` printed one. */
function reports(lines: readonly string[], np: number): RankReport[] {
  const parsed = lines.flatMap((line) => {
    const match = /^same-host-queues ok rank=(\d+) inboxes=(\S+) futex=(loaded|no) cores=(\d+)$/.exec(line);
    return match === null ? [] : [{ rank: Number(match[1]), inboxes: match[2]!, futex: match[3] === "loaded", cores: Number(match[4]) }];
  });
  expect(parsed.map((report) => report.rank).sort((a, b) => a - b)).toEqual(Array.from({ length: np }, (_, rank) => rank));
  return parsed;
}

/**
 * Shared memory carried the data (every rank maps its own inbox and its destinations' inboxes,
 * on first use) or nothing did; the futex addon is loaded, on first use, only where ranks
 * outnumber the cores (then a waiting rank sleeps in it, as rank 0 receiving thousands does) and
 * never without it.
 */
function expectPaths(lines: readonly string[], np: number, { shm, futexAllowed = shm }: { shm: boolean; futexAllowed?: boolean }): void {
  const ranks = reports(lines, np);
  expect(ranks.map((report) => report.inboxes)).toEqual(ranks.map(() => (shm ? "own+destinations" : "none")));
  const oversubscribed = ranks.every((report) => np > report.cores);
  if (futexAllowed && oversubscribed) expect(ranks.some((report) => report.futex)).toBe(true);
  else expect(ranks.filter((report) => report.futex)).toEqual([]);
}

describe("messages between ranks of one host through the shared-memory queues", () => {
  // Each rank maps its own inbox and those of the peers it sends to.
  it.each([1, 2, 4])("arrive complete and in order with wildcards, at every size, at np %i", async (np) => {
    const result = await runFixturePassing("same-host-queues.ts", np);
    expectPaths(stdoutLines(result), np, { shm: true });
  });

  // More ranks than cores: waiting ranks sleep in the futex and senders wake them there.
  it("do the same with 16 ranks on the machine's cores (10,000 messages from each)", async () => {
    const result = await runFixturePassing("same-host-queues.ts", 16, { timeout: 120 });
    expectPaths(stdoutLines(result), 16, { shm: true });
  });

  it("do the same at np 5 with the futex off (TSMPI_FUTEX=0: every wake-up a doorbell on the socket)", async () => {
    const result = await runFixturePassing("same-host-queues.ts", 5, { env: { TSMPI_FUTEX: "0" }, args: ["3000"] });
    expectPaths(stdoutLines(result), 5, { shm: true, futexAllowed: false });
  });

  it.each([
    ["TSMPI_SHM=0", { env: { TSMPI_SHM: "0" } }],
    ["tcp", { transport: "tcp" as const }],
    ["polling never (TSMPI_SPIN_US=0)", { env: { TSMPI_SPIN_US: "0" } }],
  ])("give the same result with %s", async (name, options) => {
    const result = await runFixturePassing("same-host-queues.ts", 3, { ...options, args: ["2000"] });
    expectPaths(stdoutLines(result), 3, { shm: name.startsWith("polling") });
  });

  it.each([2, 3])("still arrive when the sender finalizes with sends held for a full queue, at np %i", async (np) => {
    const result = await runFixturePassing("same-host-queues.ts", np, { args: ["--finalize-full"], timeout: 60 });
    expect(stdoutLines(result)).toContain("rank 1 received all 100 held messages");
  });

  it.each([
    ["asleep in the futex", { TSMPI_SPIN_US: "0" }],
    ["asleep on the socket", { TSMPI_SPIN_US: "0", TSMPI_FUTEX: "0" }],
    ["polling", { TSMPI_SPIN_US: "100000" }],
  ])("end the job when a rank is SIGKILLed while 15 others wait on it %s, leaving nothing behind", async (_, env) => {
    const result = await runFixture("same-host-queues.ts", 16, { args: ["--kill", "5"], env, timeout: 60 });
    expectEndedByKill(result, 5, 16);
  });
});
