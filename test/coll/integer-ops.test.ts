import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

// Every allreduce, scan, exscan and reduceScatter algorithm forced at least once, plus the table's
// own picks with and without shared memory (which decides between the shared-memory fold and the
// message-based algorithms).
const SETTINGS: Array<[string, Record<string, string>]> = [
  ["the table's picks (shared memory on)", {}],
  ["the table's picks without shared memory (TSMPI_SHM=0)", { TSMPI_SHM: "0" }],
  ["allreduce forced to shared-memory", { TSMPI_COLL_ALLREDUCE: "shared-memory" }],
  ["recursive doubling forced (allreduce, scan, exscan), reduceScatter via-reduce", {
    TSMPI_SHM: "0", TSMPI_COLL_ALLREDUCE: "recursive-doubling", TSMPI_COLL_SCAN: "recursive-doubling", TSMPI_COLL_EXSCAN: "recursive-doubling", TSMPI_COLL_REDUCE_SCATTER: "via-reduce",
  }],
  ["ring forced (allreduce, reduceScatter), linear scan and exscan", {
    TSMPI_SHM: "0", TSMPI_COLL_ALLREDUCE: "ring", TSMPI_COLL_SCAN: "linear", TSMPI_COLL_EXSCAN: "linear", TSMPI_COLL_REDUCE_SCATTER: "ring",
  }],
  ["rabenseifner forced, reduceScatter recursive-halving", { TSMPI_SHM: "0", TSMPI_COLL_ALLREDUCE: "rabenseifner", TSMPI_COLL_REDUCE_SCATTER: "recursive-halving" }],
  ["reduce-bcast forced", { TSMPI_SHM: "0", TSMPI_COLL_ALLREDUCE: "reduce-bcast" }],
];

describe("integer ops on integer typed arrays", () => {
  describe.each(SETTINGS)("with %s", (_, env) => {
    it.each([2, 4, 5])("wrap like C for every op and integer kind in allreduce, reduce, scan, exscan and reduceScatter at np %i", async (np) => {
      const result = await runFixturePassing("coll-int-ops.ts", np, { env });
      expect(stdoutLines(result).sort()).toEqual(
        Array.from({ length: np }, (_, rank) => expect.stringMatching(new RegExp(`^coll-int-ops ok rank=${rank} size=${np} checks=\\d+$`))),
      );
      // Every forced algorithm can run on these (typed arrays, built-in commutative ops).
      for (const rank of result.ranks) expect(rank.stderr).not.toContain("ignored");
    });
  });
});
