import { describe, expect, it } from "vitest";
import { explain, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";
import { codes } from "./errors.ts";

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8] as const;

function expectAllRanksOk(lines: string[], np: number): void {
  expect(lines.sort()).toEqual(Array.from({ length: np }, (_, rank) => `coll-bcast ok rank=${rank} size=${np}`));
}

describe("bcast", () => {
  it.each(SIZES)(
    "delivers the root's value from every root, into buffers where given, 0 to 8 MiB, on world, a dup and split halves, at np %i",
    async (np) => {
      // np 5 runs with binomial forced: the default where shared memory is not available.
      const result = await runFixturePassing("coll-bcast.ts", np, np === 5 ? { env: { TSMPI_COLL_BCAST: "binomial" } } : {});
      expectAllRanksOk(stdoutLines(result), np);
    },
  );

  it.each([6])("forced to scatter-allgather moves typed arrays by it and falls back with a warning for other values at np %i", async (np) => {
    const result = await runFixturePassing("coll-bcast.ts", np, { env: { TSMPI_COLL_BCAST: "scatter-allgather" } });
    expectAllRanksOk(stdoutLines(result), np);
    expect(result.ranks.every((rank) => rank.stderr.includes("TSMPI_COLL_BCAST=scatter-allgather ignored: scatter-allgather needs every rank to know the size"))).toBe(true);
  });

  it.each([
    ["without shared memory (TSMPI_SHM=0)", { env: { TSMPI_SHM: "0" } }],
    ["over tcp", { transport: "tcp" as const }],
  ])("delivers the same %s, where only message-based algorithms run, at np 4", async (_, options) => {
    expectAllRanksOk(stdoutLines(await runFixturePassing("coll-bcast.ts", 4, options)), 4);
  });

  it.each(["binomial", "scatter-allgather", "shared-memory"])("into a buffer of the wrong length ends the job with ERR_COLL_MISMATCH under %s", async (algorithm) => {
    const result = await runFixture("coll-errors.ts", 4, { args: ["bcast-buffer"], env: { TSMPI_COLL_BCAST: algorithm }, timeout: 30 });
    expect(result.exitCode, explain(result)).not.toBe(0);
    expect(result.failure).toMatch(/rank 1: bcast\(data\): .*Float64Array\(/);
    // Rank 1 finds it; any other rank still in the call fails with its report.
    expect(codes(result).length, explain(result)).toBeGreaterThan(0);
    expect(new Set(codes(result))).toEqual(new Set(["ERR_COLL_MISMATCH"]));
  });
});
