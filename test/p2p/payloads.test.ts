import { describe, expect, it } from "vitest";
import { RANK_COUNTS, runFixturePassing, stdoutLines, TRANSPORTS } from "../helpers/jobs.ts";

const CHECKS = 49;

describe.each(TRANSPORTS)("payloads over %s", (transport) => {
  it.each(RANK_COUNTS)("every msgpackr value and every typed-array kind arrives equal at np %i", async (np) => {
    const result = await runFixturePassing("p2p-payloads.ts", np, { transport });
    const lines = stdoutLines(result).sort();
    expect(lines).toEqual(Array.from({ length: np }, (_, rank) => `p2p-payloads ok rank=${rank} checked=${CHECKS}`));
  });
});

describe("large messages", () => {
  it.each([1, 2])("a 256 MiB Float64Array arrives intact at np %i", async (np) => {
    const result = await runFixturePassing("p2p-large.ts", np);
    expect(stdoutLines(result)).toEqual([expect.stringMatching(/^p2p-large ok bytes=268435456 ms=\d+$/)]);
  });
});
