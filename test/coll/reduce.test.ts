import { describe, expect, it } from "vitest";
import { explain, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";
import { codes } from "./errors.ts";

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8] as const;

describe("reduce", () => {
  it.each(SIZES)(
    "gives the serial result at every root (every op and kind of data at the first and last), undefined elsewhere, on world, a dup and split halves, at np %i",
    async (np) => {
      // np 5 runs with the algorithm forced (there is one): forcing must not change a thing.
      const result = await runFixturePassing("coll-reduce.ts", np, np === 5 ? { env: { TSMPI_COLL_REDUCE: "binomial" } } : {});
      expect(stdoutLines(result).sort()).toEqual(
        Array.from({ length: np }, (_, rank) => expect.stringMatching(new RegExp(`^coll-reduce ok rank=${rank} size=${np} cases=\\d+$`))),
      );
    },
  );

  it.each([3])("rejects a root out of range and data that does not fit the op on every rank, and stays in step, at np %i", async (np) => {
    const result = await runFixturePassing("coll-errors.ts", np, { args: ["arguments"] });
    const cases = new Map(stdoutLines(result).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { case: string; code: string; message: string }).map((c) => [c.case, c]));
    const me = np - 1;
    const range = np === 1 ? "0" : `0..${np - 1}`;
    const expectations: Array<[string, string, string]> = [
      ["bcast root too large", "ERR_RANK", `rank ${me}: bcast(root=${np}): root must be ${range} (size ${np})`],
      ["bcast root negative", "ERR_RANK", `rank ${me}: bcast(root=-1): root must be ${range}`],
      ["ibcast root fractional (synchronous)", "ERR_RANK", `rank ${me}: ibcast(root=0.5)`],
      ["reduce root too large", "ERR_RANK", `rank ${me}: reduce(root=${np + 2}): root must be ${range}`],
      ["ireduce root negative (synchronous)", "ERR_RANK", `rank ${me}: ireduce(root=-3)`],
      ["reduce SUM of strings", "ERR_OP", `rank ${me}: reduce(data): Op.SUM needs numbers`],
      ["allreduce SUM of strings", "ERR_OP", `rank ${me}: allreduce(data): Op.SUM needs numbers`],
      ["iallreduce BAND of floats (synchronous)", "ERR_OP", `rank ${me}: iallreduce(data): Op.BAND needs integers`],
      ["reduce MINLOC of a number", "ERR_OP", `rank ${me}: reduce(data): Op.MINLOC needs [value, index] pairs`],
      ["allreduce op not an op", "ERR_ARG", `rank ${me}: allreduce(op="SUM")`],
    ];
    expect([...cases.keys()].sort()).toEqual(expectations.map(([name]) => name).sort());
    for (const [name, code, start] of expectations) {
      expect(cases.get(name)?.code, name).toBe(code);
      expect(cases.get(name)?.message, name).toContain(start);
    }
  });

  it("with arrays of different lengths ends the job with ERR_COLL_MISMATCH naming both ranks", async () => {
    const result = await runFixture("coll-errors.ts", 3, { args: ["reduce-lengths"], timeout: 30 });
    expect(result.exitCode, explain(result)).not.toBe(0);
    expect(result.failure).toContain("rank 0: reduce(data): Op.MAX cannot combine Int32Array(2) here with Int32Array(3) from rank 2");
    expect(codes(result).length, explain(result)).toBeGreaterThan(0);
    expect(new Set(codes(result))).toEqual(new Set(["ERR_COLL_MISMATCH"]));
  });

  it.each([2, 5])("called on some ranks while the others call bcast ends the job with ERR_COLL_MISMATCH, not a hang, at np %i", async (np) => {
    const result = await runFixture("coll-errors.ts", np, { args: ["order"], timeout: 30 });
    expect(result.exitCode, explain(result)).not.toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.failure).toMatch(
      /rank \d+: (bcast|reduce)\(\): collective mismatch: this rank's collective call #1 .* (was|is) (bcast|reduce), but rank \d+'s is (bcast|reduce)/,
    );
    expect(codes(result)).toContain("ERR_COLL_MISMATCH");
  });
});
