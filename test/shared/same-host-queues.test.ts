/**
 * Same-host messages through the shared-memory queues (transport/same-host.ts): every size class
 * beside the socket and ring paths, wildcards across all of them and sends to self, in order; the
 * queue filled past its capacity; 16 ranks on 2 cores (futex wake-ups) and the doorbell instead;
 * and a rank SIGKILLed while the others poll, or sleep in the futex or on the socket.
 */
import { describe, expect, it } from "vitest";
import { runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";
import { expectEndedByKill } from "../helpers/killed-job.ts";

const oks = (np: number, inboxes: number, futex = inboxes > 0): string[] =>
  Array.from({ length: np }, (_, rank) => `same-host-queues ok rank=${rank} inboxes=${inboxes} futex=${futex ? "loaded" : "no"}`).sort();

describe("messages between ranks of one host through the shared-memory queues", () => {
  // Each rank maps its own inbox and every peer's.
  it.each([1, 2, 4])("arrive complete and in order with wildcards, at every size, at np %i", async (np) => {
    const result = await runFixturePassing("same-host-queues.ts", np);
    expect(stdoutLines(result).sort()).toEqual(oks(np, np));
  });

  // More ranks than cores: waiting ranks sleep in the futex and senders wake them there.
  it("do the same with 16 ranks on the machine's cores (10,000 messages from each)", async () => {
    const result = await runFixturePassing("same-host-queues.ts", 16, { timeout: 120 });
    expect(stdoutLines(result).sort()).toEqual(oks(16, 16));
  });

  it("do the same at np 5 with the futex off (TSMPI_FUTEX=0: every wake-up a doorbell on the socket)", async () => {
    const result = await runFixturePassing("same-host-queues.ts", 5, { env: { TSMPI_FUTEX: "0" }, args: ["3000"] });
    expect(stdoutLines(result).sort()).toEqual(oks(5, 5, false));
  });

  it.each([
    ["TSMPI_SHM=0", { env: { TSMPI_SHM: "0" } }],
    ["tcp", { transport: "tcp" as const }],
    ["polling never (TSMPI_SPIN_US=0)", { env: { TSMPI_SPIN_US: "0" } }],
  ])("give the same result with %s", async (name, options) => {
    const result = await runFixturePassing("same-host-queues.ts", 3, { ...options, args: ["2000"] });
    expect(stdoutLines(result).sort()).toEqual(oks(3, name.startsWith("polling") ? 3 : 0));
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
