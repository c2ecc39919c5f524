import { describe, expect, it } from "vitest";
import { explain, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

interface Case {
  case: string;
  code: string;
  message: string;
}

describe.each([1, 3])("bad arguments to gather, scatter, alltoall, scans and reduceScatter at np %i", (np) => {
  it("throw a TsmpiError naming the rank, the call and the argument, and the communicator stays in step", async () => {
    const result = await runFixturePassing("coll-data-errors.ts", np);
    const cases = new Map(stdoutLines(result).map((line) => JSON.parse(line) as Case).map((c) => [c.case, c]));
    const me = np - 1;
    const range = np === 1 ? "0" : `0..${np - 1}`;
    const expectations: Array<[string, string, string]> = [
      ["gather root too large", "ERR_RANK", `rank ${me}: gather(root=${np}): root must be ${range} (size ${np})`],
      ["gather root negative", "ERR_RANK", `rank ${me}: gather(root=-1): root must be ${range}`],
      ["igather root fractional (synchronous)", "ERR_RANK", `rank ${me}: igather(root=0.5)`],
      ["scatter root too large", "ERR_RANK", `rank ${me}: scatter(root=${np + 2})`],
      ["iscatter root not a number (synchronous)", "ERR_RANK", `rank ${me}: iscatter(root="0")`],
      ["scatter items too short on the root", "ERR_ARG", `rank ${me}: scatter(items=[array of ${np - 1}]): items must be an array of ${np} items on the root`],
      ["scatter items missing on the root", "ERR_ARG", `rank ${me}: scatter(items=undefined)`],
      ["alltoall items too long", "ERR_ARG", `rank ${me}: alltoall(items=[array of ${np + 1}]): items must be an array of ${np} items, one per rank`],
      ["ialltoall items not an array (synchronous)", "ERR_ARG", `rank ${me}: ialltoall(items="abc")`],
      ["reduceScatter data not an array", "ERR_ARG", `rank ${me}: reduceScatter(data=7)`],
      ["reduceScatter SUM of strings", "ERR_OP", `rank ${me}: reduceScatter(data): Op.SUM needs`],
      ["scan BAND of floats", "ERR_OP", `rank ${me}: scan(data): Op.BAND needs`],
      ["iexscan op not an op (synchronous)", "ERR_ARG", `rank ${me}: iexscan(op="SUM")`],
    ];
    expect([...cases.keys()].sort()).toEqual(expectations.map(([name]) => name).sort());
    for (const [name, code, start] of expectations) {
      expect(cases.get(name)?.code, name).toBe(code);
      expect(cases.get(name)?.message, name).toContain(start);
    }
  });
});

describe("vectors of different lengths on different ranks", () => {
  it.each([
    ["reduceScatter", 2, "ring", true],
    ["reduceScatter", 3, "recursive-halving", true],
    ["reduceScatter", 4, "via-reduce", true],
    ["scan", 3, "linear", false],
    ["exscan", 2, "linear", false],
    ["exscan", 5, "recursive-doubling", false],
  ] as const)("%s at np %i (%s) fails the job with ERR_COLL_MISMATCH instead of a hang or a wrong answer", async (call, np, algorithm, noRankReturns) => {
    const variable = `TSMPI_COLL_${call.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const result = await runFixture("coll-data-errors.ts", np, { args: [`--mismatch=${call}`], env: { [variable]: algorithm }, timeout: 30 });
    expect(result.exitCode, explain(result)).not.toBe(0);
    const lines = stdoutLines(result);
    const errors = lines.filter((line) => line.startsWith("error"));
    expect(errors.length, explain(result)).toBeGreaterThan(0);
    for (const line of errors) expect(line).toMatch(/^error rank=\d code=ERR_COLL_MISMATCH$/);
    expect(result.failure).toMatch(new RegExp(`rank \\d: ${call}\\(data\\): Op\\.SUM cannot combine \\S+ here with \\S+ from rank \\d: every rank must pass data of the same kind and length`));
    expect(result.failure).not.toContain("ignored");
    if (noRankReturns) expect(lines.filter((line) => line.startsWith("returned"))).toEqual([]);
  });
});
