import { describe, expect, it } from "vitest";
import { RANK_COUNTS, runFixturePassing, stdoutLines, TRANSPORTS } from "../helpers/jobs.ts";

describe.each(TRANSPORTS)("point-to-point calls over %s", (transport) => {
  it.each(RANK_COUNTS)("send, recv, isend, irecv, waitAll, waitAny, sendrecv, probe, iprobe, self and PROC_NULL work at np %i", async (np) => {
    const result = await runFixturePassing("p2p-calls.ts", np, { transport });
    // Ranks 1..np-1 each sent rank*rank to rank 0.
    const expectedSum = Array.from({ length: np }, (_, r) => r * r).reduce((a, b) => a + b, 0);
    expect(stdoutLines(result)).toEqual([`p2p-calls ok size=${np} sum=${expectedSum}`]);
  });
});

describe("message order", () => {
  it.each(RANK_COUNTS)("10,000 messages per sender arrive in order, and tags never overtake, at np %i", async (np) => {
    const result = await runFixturePassing("p2p-order.ts", np);
    expect(stdoutLines(result)).toEqual([`p2p-order ok size=${np} messages=${10_000 * np}`]);
  });
});
