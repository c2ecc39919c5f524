import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8] as const;

function expectAllRanksOk(lines: string[], np: number): void {
  const ok = lines.filter((line) => line.startsWith("coll-prefix ok"));
  expect(ok.map((line) => Number(/rank=(\d+)/.exec(line)![1])).sort((a, b) => a - b)).toEqual(Array.from({ length: np }, (_, r) => r));
  for (const line of ok) expect(line).toMatch(new RegExp(`size=${np} checks=[1-9]\\d*$`));
}

describe("scan, exscan and reduceScatter", () => {
  it.each(SIZES)("match a serial computation at np %i: built-in and non-commutative ops, uneven and empty blocks, 8 MiB arrays, on world, dup and split halves", async (np) => {
    const result = await runFixturePassing("coll-prefix.ts", np);
    expectAllRanksOk(stdoutLines(result), np);
  });

  it("match it over tcp as well", async () => {
    const result = await runFixturePassing("coll-prefix.ts", 3, { transport: "tcp" });
    expectAllRanksOk(stdoutLines(result), 3);
  });

  it.each([
    [5, { TSMPI_COLL_SCAN: "linear", TSMPI_COLL_EXSCAN: "linear", TSMPI_COLL_REDUCE_SCATTER: "ring" }],
    [6, { TSMPI_COLL_SCAN: "recursive-doubling", TSMPI_COLL_EXSCAN: "recursive-doubling", TSMPI_COLL_REDUCE_SCATTER: "recursive-halving" }],
    [3, { TSMPI_COLL_REDUCE_SCATTER: "via-reduce" }],
  ] as const)("match it at np %i with every algorithm forced: %o (where the data allows it)", async (np, env) => {
    const result = await runFixturePassing("coll-prefix.ts", np, { env });
    expectAllRanksOk(stdoutLines(result), np);
  });

  it("a forced reduceScatter algorithm that cannot take the op or the data warns, says why and falls back", async () => {
    const result = await runFixturePassing("coll-prefix.ts", 2, { env: { TSMPI_COLL_REDUCE_SCATTER: "ring" } });
    expectAllRanksOk(stdoutLines(result), 2);
    const stderr = result.ranks.map((rank) => rank.stderr).join("");
    expect(stderr).toContain("TSMPI_COLL_REDUCE_SCATTER=ring ignored: ring reduces typed arrays in place, and this data is not a typed array");
  });
});
