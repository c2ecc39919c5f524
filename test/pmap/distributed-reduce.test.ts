import { describe, expect, it } from "vitest";
import { RANK_COUNTS, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

/** What pmap-distributed-reduce.ts prints for [0, n), from closed forms. */
function expected(n: number): string[] {
  const sumsq = ((n - 1) * n * (2 * n - 1)) / 6;
  return [`sumsq n=${n} ${sumsq} ${sumsq}`, `concat n=${n} ordered`, `more n=${n} ok`, "empty: ERR_ARG"];
}

describe("distributedReduce", () => {
  it.each(RANK_COUNTS)(
    "sums i^2 over [0, 1001) to the closed form, folds non-commutative ops in index order and agrees on every rank at np %i",
    async (np) => {
      // 1001 indices split unevenly at np 2, 3 and 4.
      const result = await runFixturePassing("pmap-distributed-reduce.ts", np, { args: ["--n", "1001"] });
      expect(stdoutLines(result)).toEqual(expected(1001));
    },
  );

  it.each([
    [4, 2],
    [3, 1],
  ])("handles a range smaller than the communicator (np %i, range of %i): ranks without data add nothing", async (np, n) => {
    const result = await runFixturePassing("pmap-distributed-reduce.ts", np, { args: ["--n", String(n)] });
    expect(stdoutLines(result)).toEqual(expected(n));
  });
});
