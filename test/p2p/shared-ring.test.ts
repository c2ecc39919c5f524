import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

/** p2p-ring.ts sends 4 rounds of 13 messages to every other rank. */
const messages = (np: number): number => 4 * 13 * (np - 1);

describe("large messages through the shared-memory rings", () => {
  it.each([2, 3])("every size class arrives intact and in order, the ring full or not, at np %i", async (np) => {
    const result = await runFixturePassing("p2p-ring.ts", np);
    // Each rank maps its ring towards every peer and every peer's ring towards it.
    const rings = 2 * (np - 1);
    expect(stdoutLines(result).sort()).toEqual(Array.from({ length: np }, (_, rank) => `p2p-ring ok rank=${rank} messages=${messages(np)} rings=${rings}`));
  });

  it.each([
    ["TSMPI_SHM=0", { env: { TSMPI_SHM: "0" } }],
    ["tcp", { transport: "tcp" as const }],
  ])("with %s everything goes through the sockets, with the same result", async (_, options) => {
    const result = await runFixturePassing("p2p-ring.ts", 2, options);
    expect(stdoutLines(result).sort()).toEqual([0, 1].map((rank) => `p2p-ring ok rank=${rank} messages=${messages(2)} rings=0`));
  });
});
