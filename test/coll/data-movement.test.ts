import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8] as const;

function expectAllRanksOk(lines: string[], np: number): void {
  const ok = lines.filter((line) => line.startsWith("coll-movement ok"));
  expect(ok.map((line) => Number(/rank=(\d+)/.exec(line)![1])).sort((a, b) => a - b)).toEqual(Array.from({ length: np }, (_, r) => r));
  for (const line of ok) expect(line).toMatch(new RegExp(`size=${np} checks=[1-9]\\d*$`));
}

describe("gather, scatter, allgather and alltoall", () => {
  it.each(SIZES)("match a serial computation at np %i for every root, objects, typed, empty and 8 MiB arrays, on world, dup and split halves", async (np) => {
    const result = await runFixturePassing("coll-movement.ts", np);
    expectAllRanksOk(stdoutLines(result), np);
  });

  it("match it over tcp as well", async () => {
    const result = await runFixturePassing("coll-movement.ts", 3, { transport: "tcp" });
    expectAllRanksOk(stdoutLines(result), 3);
  });

  it.each([
    [5, { TSMPI_COLL_GATHER: "linear", TSMPI_COLL_SCATTER: "linear", TSMPI_COLL_ALLGATHER: "bruck", TSMPI_COLL_ALLTOALL: "bruck" }],
    [4, { TSMPI_COLL_GATHER: "binomial", TSMPI_COLL_SCATTER: "binomial", TSMPI_COLL_ALLGATHER: "recursive-doubling", TSMPI_COLL_ALLTOALL: "pairwise" }],
    [7, { TSMPI_COLL_GATHER: "binomial", TSMPI_COLL_SCATTER: "binomial", TSMPI_COLL_ALLGATHER: "ring", TSMPI_COLL_ALLTOALL: "pairwise" }],
  ] as const)("match it at np %i with every algorithm forced: %o", async (np, env) => {
    const result = await runFixturePassing("coll-movement.ts", np, { env });
    expectAllRanksOk(stdoutLines(result), np);
    expect(result.ranks.map((rank) => rank.stderr).join("")).not.toContain("ignored");
  });

  it.each([2, 3, 4])("match it at np %i with the ring allgather forced (its pass is allgatherv's too)", async (np) => {
    const result = await runFixturePassing("coll-movement.ts", np, { env: { TSMPI_COLL_ALLGATHER: "ring" } });
    expectAllRanksOk(stdoutLines(result), np);
    expect(result.ranks.map((rank) => rank.stderr).join("")).not.toContain("ignored");
  });

  it("a forced algorithm that cannot run warns once per rank, says why and falls back", async () => {
    const result = await runFixturePassing("coll-movement.ts", 6, { env: { TSMPI_COLL_ALLGATHER: "recursive-doubling" } });
    expectAllRanksOk(stdoutLines(result), 6);
    for (const rank of result.ranks) {
      const warnings = rank.stderr.split("\n").filter((line) => line.includes("TSMPI_COLL_ALLGATHER=recursive-doubling ignored"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("needs a power-of-two number of ranks, and this communicator has 6");
    }
  });
});
