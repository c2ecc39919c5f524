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
