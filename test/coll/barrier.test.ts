import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

const expected = (np: number): string[] => Array.from({ length: np }, (_, rank) => `coll-barrier ok rank=${rank} size=${np} rounds=40`);

describe("barrier", () => {
  it.each([1, 2, 3, 4, 5, 8])("lets no rank leave before the last has entered, at np %i", async (np) => {
    expect(stdoutLines(await runFixturePassing("coll-barrier.ts", np)).sort()).toEqual(expected(np));
  });

  it.each([
    ["forced to dissemination", { env: { TSMPI_COLL_BARRIER: "dissemination" } }],
    ["without shared memory (TSMPI_SHM=0)", { env: { TSMPI_SHM: "0" } }],
    ["over tcp", { transport: "tcp" as const }],
  ])("does the same %s, at np 5", async (_, options) => {
    const result = await runFixturePassing("coll-barrier.ts", 5, options);
    expect(stdoutLines(result).sort()).toEqual(expected(5));
    expect(result.ranks.some((rank) => rank.stderr.includes("ignored"))).toBe(false);
  });
});
