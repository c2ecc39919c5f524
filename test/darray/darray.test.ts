import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

/** 5 and 6 add a prime and a count with two uneven 2-D grids (2 x 3, 3 x 2) to mpi4py's 1..3 and 4. */
const SIZES = [1, 2, 3, 4, 5, 6] as const;

function expectAllRanksOk(lines: string[], fixture: string, np: number): void {
  const ok = lines.filter((line) => line.startsWith(`${fixture} ok`));
  expect(ok.map((line) => Number(/rank=(\d+)/.exec(line)![1])).sort((a, b) => a - b)).toEqual(Array.from({ length: np }, (_, r) => r));
  for (const line of ok) expect(line).toMatch(new RegExp(`size=${np} checks=[1-9]\\d*$`));
}

interface Case {
  case: string;
  code: string;
  message: string;
}

describe("DArray", () => {
  it.each(SIZES)(
    "fills every ghost cell at corners, edges and faces with the value a serial oracle expects at np %i, on every 2-D grid of 13 x 7, in 1-D and 3-D, periodic or not, ghost 1 and 2, with and without corners",
    async (np) => {
      const result = await runFixturePassing("darray-halo.ts", np);
      expectAllRanksOk(stdoutLines(result), "darray-halo", np);
    },
  );

  it.each(SIZES)(
    "splits like MPI, round-trips distribute and gather for every root, and maps and reduces like a serial loop at np %i",
    async (np) => {
      const result = await runFixturePassing("darray-ops.ts", np);
      expectAllRanksOk(stdoutLines(result), "darray-ops", np);
    },
  );

  it.each([1, 2, 3, 4, 5])("reduces integer kinds with wrap-around as C does (PROD, SUM, sum against BigInt) at np %i", async (np) => {
    const result = await runFixturePassing("darray-int-reduce.ts", np);
    expectAllRanksOk(stdoutLines(result), "darray-int-reduce", np);
  });

  it("exchanges halos over tcp as over ipc", async () => {
    const result = await runFixturePassing("darray-halo.ts", 3, { transport: "tcp" });
    expectAllRanksOk(stdoutLines(result), "darray-halo", 3);
  });
});

describe.each([1, 3])("bad DArray calls at np %i", (np) => {
  it("throw a TsmpiError naming the rank, the call and the argument, and leave no collective half done", async () => {
    const result = await runFixturePassing("darray-errors.ts", np);
    const cases = new Map(stdoutLines(result).map((line) => JSON.parse(line) as Case).map((c) => [c.case, c]));
    const me = np - 1;
    const expectations: Array<[string, string, string]> = [
      ["create on a plain communicator", "ERR_COMM", `rank ${me}: DArray.create(cart=`],
      ["create with fewer array dimensions than grid dimensions", "ERR_ARG", `rank ${me}: DArray.create(globalShape): the array has 1 dimension ([12]) but the process grid has 2 (dims [${np}, 1])`],
      ["create with more array dimensions than grid dimensions", "ERR_ARG", `rank ${me}: DArray.create(globalShape): the array has 3 dimensions ([3, 4, 5]) but the process grid has 1 (dims [${np}])`],
      ["create with a negative extent", "ERR_ARG", `rank ${me}: DArray.create(globalShape[1]=-1): globalShape[1] must be an integer >= 0`],
      ["create with a kind that is not a typed array class", "ERR_ARG", `rank ${me}: DArray.create(Kind=[function]): Kind must be a typed array class`],
      ["create with a negative ghost", "ERR_ARG", `rank ${me}: DArray.create(ghost=-1): ghost must be an integer >= 0`],
      ["create with a ghost wider than the smallest block", "ERR_ARG", `rank ${me}: DArray.create(ghost=3): ghost 3 is wider than the smallest block along dimension 0 (${2 * np} elements over ${np} process${np === 1 ? "" : "es"}: 2)`],
      ["distribute with a root out of range", "ERR_RANK", `rank ${me}: DArray.distribute(root=${np}): root must be ${np === 1 ? "0" : `0..${np - 1}`} (size ${np})`],
      ["distribute a root array of the wrong length", "ERR_ARG", `rank ${me}: DArray.distribute(fullArray): on root 0: fullArray has 5 elements but globalShape [4, 4] holds 16`],
      ["gather to a root out of range", "ERR_RANK", `rank ${me}: DArray.gather(root=-1)`],
      ["localPart.get outside the block", "ERR_ARG", `rank ${me}: LocalPart.get(index): index [3, 0] is outside the local block`],
      ["localPart.row with too many indices", "ERR_ARG", `rank ${me}: LocalPart.row(index): index [0, 0] is outside the local block: it takes 1 integer`],
      ["exchangeHalo with corners not a boolean", "ERR_ARG", `rank ${me}: DArray.exchangeHalo(corners="yes"): corners must be true or false`],
      ["reduce with something that is not an op", "ERR_OP", `rank ${me}: DArray.reduce(op=42)`],
      ["mapInPlace without a function", "ERR_ARG", `rank ${me}: DArray.mapInPlace(fn=undefined): fn must be a function`],
      ["a second exchangeHaloStart while one is in flight", "ERR_STATE", `rank ${me}: DArray.exchangeHaloStart(): a halo exchange of this DArray is still in flight`],
      ["max of an empty array", "ERR_ARG", `rank ${me}: DArray.max(): the DArray has no elements`],
    ];
    if (np > 1) {
      expectations.push([
        "a halo exchange between ranks that made the array with different shapes",
        "ERR_COLL_MISMATCH",
        `rank ${me}: DArray.exchangeHalo(): rank ${me - 1} sent a halo face of ${4 + me - 1 + 2} Float64Array elements where ${4 + me + 2} Float64Array elements were expected`,
      ]);
    }
    for (const [name, code, message] of expectations) {
      const got = cases.get(name);
      expect(got, name).toBeDefined();
      expect(got!.code, name).toBe(code);
      expect(got!.message, name).toContain(message);
    }
    expect(cases.size).toBe(expectations.length);
  });
});
