import { describe, expect, it } from "vitest";
import { explain, runFixture, runFixturePassing, rootLines, stdoutLines } from "../helpers/jobs.ts";
import { graphsFor } from "../fixtures/lib/graphs.ts";

interface Case {
  rank: number;
  case: string;
  code: string;
  message: string;
}

describe("distributed-graph topologies", () => {
  it.each([1, 2, 3, 4, 7])(
    "createDistGraphAdjacent and createDistGraph give every rank the neighbours and weights a serial reference computes, and the neighbourhood collectives follow them, at np %i",
    async (np) => {
      const result = await runFixturePassing("topo-dist-graph.ts", np);
      const expected = graphsFor(np).flatMap((graph) =>
        ["adjacent", "general"].map((form) => `graph ${graph.name} ${form} ok edges=${graph.edges.length}`),
      );
      expect(rootLines(result)).toEqual([...expected, "topo-dist-graph ok"]);
    },
  );

  it("works over tcp as over ipc", async () => {
    const result = await runFixturePassing("topo-dist-graph.ts", 3, { transport: "tcp" });
    expect(rootLines(result).at(-1)).toBe("topo-dist-graph ok");
  });
});

describe.each([1, 2, 4])("bad distributed-graph arguments at np %i", (np) => {
  it("throw a TsmpiError naming the rank and the call on every rank, even when one rank alone is wrong, and leave no collective half done", async () => {
    const result = await runFixturePassing("topo-dist-graph-bad-input.ts", np);
    const byRank = new Map<number, Map<string, Case>>();
    for (const line of stdoutLines(result)) {
      const entry = JSON.parse(line) as Case;
      if (!byRank.has(entry.rank)) byRank.set(entry.rank, new Map());
      byRank.get(entry.rank)!.set(entry.case, entry);
    }
    expect([...byRank.keys()].sort()).toEqual(Array.from({ length: np }, (_, r) => r));
    const last = np - 1;
    const range = np === 1 ? "0" : `0..${last}`;
    const fromAnother = (finder: number): string => `failed on rank ${finder}, so it fails on every rank: rank ${finder}: `;
    for (let me = 0; me < np; me++) {
      /** The message on the rank that found the fault, `(finder)`, and on the others, which name it. */
      const found = (finder: number, text: string): string => (me === finder ? `rank ${me}: ${text}` : fromAnother(finder) + text);
      const expectations: Array<[string, string, string]> = [
        ["adjacent sources not an array", "ERR_ARG", `rank ${me}: createDistGraphAdjacent(sources=3): sources must be an array of ranks ${range}`],
        ["adjacent source out of range", "ERR_RANK", `rank ${me}: createDistGraphAdjacent(sources[0]=${np}): sources[0] must be ${range} (size ${np})`],
        ["adjacent negative destination", "ERR_RANK", `rank ${me}: createDistGraphAdjacent(destinations[0]=-1)`],
        ["adjacent destination out of range on the last rank only", "ERR_RANK", found(last, `createDistGraphAdjacent(destinations[0]=${np + 3}): destinations[0] must be ${range}`)],
        ["adjacent sourceWeights of the wrong length", "ERR_ARG", `rank ${me}: createDistGraphAdjacent(sourceWeights=[array of 2]): sourceWeights must be an array of 1 weights, one per entry of sources`],
        ["adjacent destWeights without sourceWeights", "ERR_ARG", `rank ${me}: createDistGraphAdjacent(options): destWeights is given without sourceWeights`],
        ["adjacent negative weight", "ERR_ARG", `rank ${me}: createDistGraphAdjacent(destWeights[0]=-2): destWeights[0] must be an integer >= 0`],
        ["adjacent reorder not boolean", "ERR_ARG", `rank ${me}: createDistGraphAdjacent(reorder="yes")`],
        [
          "adjacent edge named at one end only",
          "ERR_ARG",
          found(last, `createDistGraphAdjacent(sources): rank 0 lists ${last} as a destination once but rank ${last} lists 0 as a source 0 times`),
        ],
        [
          "adjacent edge weights that differ at the two ends",
          "ERR_ARG",
          found(0, `createDistGraphAdjacent(sources): the edges from rank ${last} to rank 0 have weights [1] at rank ${last} but [5] at rank 0`),
        ],
        ["general sources not an array", "ERR_ARG", `rank ${me}: createDistGraph(sources="0"): sources must be an array of ranks`],
        ["general source out of range", "ERR_RANK", `rank ${me}: createDistGraph(sources[0]=${np})`],
        ["general negative degree", "ERR_ARG", `rank ${me}: createDistGraph(degrees[0]=-1): degrees[0] must be an integer >= 0`],
        ["general negative degree on the last rank only", "ERR_ARG", found(last, "createDistGraph(degrees[0]=-1)")],
        ["general degrees of the wrong length", "ERR_ARG", `rank ${me}: createDistGraph(degrees=[array of 1]): degrees must be an array of 2 degrees`],
        ["general destinations fewer than the degrees", "ERR_ARG", `rank ${me}: createDistGraph(destinations): degrees add up to 2 edges but destinations holds 1`],
        ["general destination out of range", "ERR_RANK", `rank ${me}: createDistGraph(destinations[0]=${np})`],
        ["general weights of the wrong length", "ERR_ARG", `rank ${me}: createDistGraph(weights=[array of 0]): weights must be an array of 1 weights`],
        ["general fractional weight", "ERR_ARG", `rank ${me}: createDistGraph(weights[0]=0.5)`],
        ["neighborAlltoall wrong items length", "ERR_ARG", `rank ${me}: neighborAlltoall(items=[array of 2]): items must be an array of 1 items (one per destination`],
        ["neighborAllgatherv data not a typed array", "ERR_ARG", `rank ${me}: neighborAllgatherv(data=[array of 2]): data must be a typed array`],
        ["neighborAllgatherv recvCounts of the wrong length", "ERR_ARG", `rank ${me}: neighborAllgatherv(recvCounts=[array of 2]): recvCounts must be an array of 1 element counts (one per source`],
        ["neighborAlltoallv negative count", "ERR_ARG", `rank ${me}: neighborAlltoallv(recvCounts[0]=-1)`],
        ["neighborAlltoallv sendCounts that do not add up to data", "ERR_ARG", `rank ${me}: neighborAlltoallv(sendCounts): sendCounts add up to 2 elements but data holds 3`],
        ["ineighborAlltoallv bad counts (synchronous)", "ERR_ARG", `rank ${me}: ineighborAlltoallv(sendCounts=[array of 2])`],
      ];
      if (np > 1) {
        expectations.push([
          "adjacent weighted on one rank only",
          "ERR_COLL_MISMATCH",
          `rank ${me}: createDistGraphAdjacent(): the ranks passed different arguments (this rank: reorder=false weighted=${me === 0})`,
        ]);
        expectations.push(
          ["general weighted on one rank only", "ERR_COLL_MISMATCH", `rank ${me}: createDistGraph(): the ranks passed different arguments (this rank: reorder=false weighted=${me !== last})`],
          ["general reorder differs between ranks", "ERR_COLL_MISMATCH", `rank ${me}: createDistGraph(): the ranks passed different arguments (this rank: reorder=${me === 0} weighted=false)`],
        );
      }
      const cases = byRank.get(me)!;
      expect([...cases.keys()].sort(), `rank ${me}`).toEqual(expectations.map(([name]) => name).sort());
      for (const [name, code, text] of expectations) {
        expect(cases.get(name)?.code, `rank ${me}: ${name}`).toBe(code);
        expect(cases.get(name)?.message, `rank ${me}: ${name}`).toContain(text);
        if (!text.startsWith("rank ")) expect(cases.get(name)?.message, `rank ${me}: ${name}`).toMatch(new RegExp(`^rank ${me}: `));
      }
    }
  });
});

describe("neighbours that disagree about a v collective's counts or kind", () => {
  // counts: only the last rank expects 3 elements of its left neighbour's 2. kind: rank 0 sends
  // Float32Array to rank 1, which expects Float64Array, and receives Float64Array from rank 2, so
  // ranks 0 and 1 both find it (whichever reports first fails the job, in its own words or, once
  // the other's notice has reached it, as "failed on rank r: <r's words>").
  it.each([
    ["counts", [/rank 2: neighborAllgatherv\(recvCounts\): in-neighbour 0 \(rank 1\) sent Float64Array\(2\) but recvCounts\[0\] expects Float64Array\(3\)/m]],
    [
      "kind",
      [
        /^rank 1: neighborAlltoallv\(recvCounts\): in-neighbour 0 \(rank 0\) sent Float32Array\(1\) but recvCounts\[0\] expects Float64Array\(1\)/m,
        /^rank 0: neighborAlltoallv\(recvCounts\): in-neighbour 0 \(rank 2\) sent Float64Array\(1\) but recvCounts\[0\] expects Float32Array\(1\)/m,
      ],
    ],
  ] as const)("fail the job with ERR_COLL_MISMATCH from a rank that receives (%s)", async (mode, reports) => {
    const result = await runFixture("topo-dist-graph-bad-input.ts", 3, { args: [`--mismatch=${mode}`], timeout: 30 });
    expect(result.exitCode, explain(result)).not.toBe(0);
    const lines = stdoutLines(result);
    expect(lines.filter((line) => line.startsWith("error")).length, explain(result)).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^(error rank=\d code=ERR_COLL_MISMATCH|returned rank=\d)$/);
    const failure = (result.failure ?? "").replace(/^.*?TsmpiError \[ERR_COLL_MISMATCH\]: /gm, "");
    expect(reports.some((report) => report.test(failure)), explain(result)).toBe(true);
  });
});
