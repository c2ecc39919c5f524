import { describe, expect, it } from "vitest";
import { explain, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";
import { codes } from "./errors.ts";

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8] as const;
const ALGORITHMS = ["recursive-doubling", "ring", "rabenseifner", "reduce-bcast", "shared-memory"] as const;

function expectAllRanksOk(lines: string[], np: number): void {
  expect(lines.sort()).toEqual(Array.from({ length: np }, (_, rank) => expect.stringMatching(new RegExp(`^coll-allreduce ok rank=${rank} size=${np} cases=\\d+$`))));
}

describe("allreduce", () => {
  it.each(SIZES)(
    "gives the serial result for every op and kind of data, on world, a dup and split halves, blocking and not, at np %i",
    async (np) => {
      expectAllRanksOk(stdoutLines(await runFixturePassing("coll-allreduce.ts", np)), np);
    },
  );

  // One size each, chosen to hit the odd cases: ring with uneven blocks, rabenseifner's fold.
  const FORCED: Array<[(typeof ALGORITHMS)[number], number]> = [
    ["recursive-doubling", 7],
    ["ring", 5],
    ["rabenseifner", 6],
    ["reduce-bcast", 3],
    ["shared-memory", 5],
  ];
  describe.each(FORCED)("forced to %s", (algorithm, np) => {
    it(`gives the same results at np ${np}, falling back with a warning where it cannot run`, async () => {
      const result = await runFixturePassing("coll-allreduce.ts", np, { env: { TSMPI_COLL_ALLREDUCE: algorithm } });
      expectAllRanksOk(stdoutLines(result), np);
      const warned = result.ranks.some((rank) => rank.stderr.includes(`TSMPI_COLL_ALLREDUCE=${algorithm} ignored`));
      // Ring, rabenseifner and shared-memory take only typed arrays (with commutative or built-in
      // ops); the fixture has other data too.
      expect(warned).toBe(algorithm === "ring" || algorithm === "rabenseifner" || algorithm === "shared-memory");
    });
  });

  it.each([
    ["without shared memory (TSMPI_SHM=0)", { env: { TSMPI_SHM: "0" } }],
    ["over tcp", { transport: "tcp" as const }],
  ])("gives the same results %s, where only message-based algorithms run, at np 4", async (_, options) => {
    expectAllRanksOk(stdoutLines(await runFixturePassing("coll-allreduce.ts", 4, options)), 4);
  });

  describe("arrays of different lengths on different ranks", () => {
    it.each(["auto", "ring", "rabenseifner", "shared-memory", "recursive-doubling"])("end the job with ERR_COLL_MISMATCH naming both ranks under %s", async (algorithm) => {
      const result = await runFixture("coll-errors.ts", 4, { args: ["lengths"], env: { TSMPI_COLL_ALLREDUCE: algorithm }, timeout: 30 });
      expect(result.exitCode, explain(result)).not.toBe(0);
      expect(result.timedOut).toBe(false);
      expect(result.failure).toMatch(/rank \d: allreduce\(data\): .* from rank \d/);
      expect(codes(result)).toContain("ERR_COLL_MISMATCH");
      expect(stdoutLines(result).filter((line) => line.includes("returned"))).toEqual([]);
    });

    // The algorithms that split the vector into blocks; the others apply a user op to whole values.
    it.each(["ring", "rabenseifner"])("a user op that returns a shorter block ends the job with ERR_OP under %s", async (algorithm) => {
      const result = await runFixture("coll-errors.ts", 4, { args: ["misshapen-op"], env: { TSMPI_COLL_ALLREDUCE: algorithm }, timeout: 30 });
      expect(result.exitCode, explain(result)).not.toBe(0);
      expect(result.timedOut).toBe(false);
      expect(codes(result)).toContain("ERR_OP");
      expect(result.failure).toMatch(/rank \d: i?allreduce\(op\): .*returned/);
    });

    it("of plain numbers end the job with ERR_COLL_MISMATCH", async () => {
      const result = await runFixture("coll-errors.ts", 3, { args: ["array-lengths"], timeout: 30 });
      expect(result.exitCode, explain(result)).not.toBe(0);
      expect(result.failure).toContain("cannot combine array(3) here with array(2) from rank 0");
      expect(codes(result)).toContain("ERR_COLL_MISMATCH");
    });
  });
});
