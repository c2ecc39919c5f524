import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

interface Case {
  case: string;
  code: string;
  message: string;
}

/** What topo-cart.ts reports: grids checked (each a createCart with shift, neighbour and dup checks) and sub-communicators. */
function summary(np: number, explicit = false): string {
  // Shapes [np], computeDims(np, 2), computeDims(np, 3), [np, 1], [1, np] (+ an explicit one), four
  // period variants each, duplicates (same dims and periods) skipped: recount here serially.
  const shapes = [[np], dims2(np), dims3(np), [np, 1], [1, np]];
  if (explicit) shapes.push(explicitShapes[np]!);
  const seen = new Set<string>();
  let subs = 0;
  for (const dims of shapes) {
    for (const periods of [dims.map(() => false), dims.map(() => true), dims.map((_, d) => d % 2 === 0), dims.map((_, d) => d % 2 === 1)]) {
      const key = `${dims}|${periods}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (dims.length >= 2) subs += 1 << dims.length;
    }
  }
  return `topo-cart ok size=${np} grids=${seen.size} subs=${subs}`;
}
const dims2 = (n: number): number[] => ({ 1: [1, 1], 2: [2, 1], 3: [3, 1], 4: [2, 2], 5: [5, 1], 6: [3, 2], 7: [7, 1], 8: [4, 2] })[n]!;
const dims3 = (n: number): number[] => ({ 1: [1, 1, 1], 2: [2, 1, 1], 3: [3, 1, 1], 4: [2, 2, 1], 5: [5, 1, 1], 6: [3, 2, 1], 7: [7, 1, 1], 8: [2, 2, 2] })[n]!;
const explicitShapes: Record<number, number[]> = { 6: [2, 3], 8: [2, 2, 2], 4: [1, 2, 2] };

describe("Cartesian topologies", () => {
  // Some runs add an explicit grid shape and some run on a dup of the world; one launch each keeps
  // the file near 30 s on two cores.
  it.each([
    [1, []],
    [2, ["--dup"]],
    [3, []],
    [4, ["1,2,2"]],
    [5, ["--dup"]],
    [6, ["2,3"]],
    [7, []],
    [8, ["2,2,2", "--dup"]],
  ] as Array<[number, string[]]>)(
    "createCart, rankOf, coordsOf, shift, sub, dup and neighbour exchange agree with a serial grid at np %i (args %j)",
    async (np, args) => {
      const result = await runFixturePassing("topo-cart.ts", np, { args });
      expect(stdoutLines(result)).toEqual([summary(np, args.some((arg) => /^\d/.test(arg)))]);
    },
  );

  it("works over tcp as over ipc", async () => {
    const result = await runFixturePassing("topo-cart.ts", 3, { transport: "tcp" });
    expect(stdoutLines(result)).toEqual([summary(3)]);
  });
});

describe.each([1, 3])("bad topology arguments at np %i", (np) => {
  it("throw a TsmpiError naming the rank, the call and the argument, and leave no collective half done", async () => {
    const result = await runFixturePassing("topo-bad-input.ts", np);
    const cases = new Map(stdoutLines(result).map((line) => JSON.parse(line) as Case).map((c) => [c.case, c]));
    const me = np - 1;
    const expectations: Array<[string, string, string]> = [
      ["createCart dims not an array", "ERR_ARG", `rank ${me}: createCart(dims=3): dims must be an array of integers >= 1`],
      ["createCart zero extent", "ERR_ARG", `rank ${me}: createCart(dims[1]=0): dims[1] must be an integer >= 1`],
      ["createCart fractional extent", "ERR_ARG", `rank ${me}: createCart(dims[0]=1.5)`],
      ["createCart periods too short", "ERR_ARG", `rank ${me}: createCart(periods=[array of 1]): periods must be an array of 2 booleans`],
      ["createCart periods not booleans", "ERR_ARG", `rank ${me}: createCart(periods[0]=1): periods[0] must be true or false`],
      ["createCart reorder not boolean", "ERR_ARG", `rank ${me}: createCart(reorder="yes")`],
      ["createCart grid larger than the communicator", "ERR_ARG", `rank ${me}: createCart(dims): the grid [${np}, 2] needs ${2 * np} ranks but the communicator has ${np}`],
      ["rankOf off a non-periodic edge", "ERR_RANK", `rank ${me}: rankOf(coords): coords [${np}] are off the grid: dimension 0 is not periodic`],
      ["rankOf negative on a non-periodic edge", "ERR_RANK", `rank ${me}: rankOf(coords): coords [-1] are off the grid`],
      ["rankOf wrong length", "ERR_ARG", `rank ${me}: rankOf(coords=[array of 2]): coords must be an array of 1 integers`],
      ["coordsOf rank too large", "ERR_RANK", `rank ${me}: coordsOf(rank=${np})`],
      ["shift dim out of range", "ERR_ARG", `rank ${me}: shift(dim=1): dim must be 0`],
      ["shift disp fractional", "ERR_ARG", `rank ${me}: shift(disp=0.5): disp must be an integer`],
      ["neighborAlltoall wrong items length", "ERR_ARG", `rank ${me}: neighborAlltoall(items=[array of 3]): items must be an array of 2 items`],
      ["ineighborAlltoall wrong items length (synchronous)", "ERR_ARG", `rank ${me}: ineighborAlltoall(items=[array of 1])`],
      ["neighborAlltoall unserialisable item", "ERR_SERIALIZE", `rank ${me}: neighborAlltoall(data): a function cannot be sent`],
      ["neighborAllgather unserialisable item", "ERR_SERIALIZE", `rank ${me}: neighborAllgather(data): a symbol cannot be sent`],
      ["sub wrong remainDims length", "ERR_ARG", `rank ${me}: sub(remainDims=[array of 2]): remainDims must be an array of 1 booleans`],
      ["computeDims fixed dims do not divide", "ERR_ARG", "computeDims(dims): the fixed entries of dims [4, 0] multiply to 4"],
      ["computeDims fixed grid of the wrong size", "ERR_ARG", "computeDims(dims): dims [2, 2] fixes every dimension"],
      ["computeDims nnodes zero", "ERR_ARG", "computeDims(nnodes=0)"],
      ["computeDims negative entry", "ERR_ARG", "computeDims(dims[0]=-1)"],
      ["computeDims dims of the wrong length", "ERR_ARG", "computeDims(dims=[array of 2])"],
    ];
    if (np > 1) {
      expectations.push(
        ["createCart periods differ between ranks", "ERR_COLL_MISMATCH", `rank ${me}: createCart(): the ranks passed different arguments`],
        ["sub remainDims differ between ranks", "ERR_COLL_MISMATCH", `rank ${me}: sub(): the ranks passed different arguments`],
      );
    }
    expect([...cases.keys()].sort()).toEqual(expectations.map(([name]) => name).sort());
    for (const [name, code, start] of expectations) {
      expect(cases.get(name)?.code, name).toBe(code);
      expect(cases.get(name)?.message, name).toContain(start);
    }
  });
});
