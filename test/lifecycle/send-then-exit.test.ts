/**
 * finalize() delivers what was sent: ranks that send and then at once `await finalize();
 * process.exit(0)` lose nothing, on one host (ipc, and tcp) as across hosts (test/hosts/ssh.test.ts).
 */
import { describe, expect, it } from "vitest";
import { explain, runFixture } from "../helpers/jobs.ts";

describe("messages sent right before finalize() and process.exit(0)", () => {
  it.each(["ipc", "tcp"] as const)("all arrive over %s, every time", async (transport) => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await runFixture("hosts-send-exit.ts", 6, { transport, args: ["200"], timeout: 60 });
      expect(result.exitCode, `attempt ${attempt}\n${explain(result)}`).toBe(0);
      expect(result.ranks[5]?.stdout).toContain("received=1000 expected=1000 ok");
    }
  });
});

describe("a message to a rank that has already finalized and exited", () => {
  // The link is first used after the peer left, so it never connects and never sees a drop: the
  // refused connection must count as the peer's exit (before, finalize waited out its 60 s bound).
  it.each(["ipc", "tcp"] as const)("does not hold the sender's finalize, over %s", async (transport) => {
    const result = await runFixture("send-to-finalized.ts", 2, { transport, timeout: 20 });
    expect(result.exitCode, explain(result)).toBe(0);
    expect(result.ranks[0]?.stdout).toContain("rank 0 finalized after the peer had gone");
  });
});
