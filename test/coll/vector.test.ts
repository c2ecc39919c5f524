import { describe, expect, it } from "vitest";
import type { JobResult } from "@tsmpi/launcher";
import { explain, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

interface Reported {
  code: string;
  message: string;
}

interface Outcome {
  case: string;
  rank: number;
  call: string;
  inCall: Reported | null;
  later: Reported | null;
}

// [case, code, what the finder's message says, whether every rank's call itself fails (false: a rank
// whose part ended before another rank found the call wrong hears of it at its next call, as the
// README says of gather and reduce), whether it needs two ranks]
const CASES: ReadonlyArray<readonly [string, string, RegExp, boolean, boolean]> = [
  ["allgatherv counts too long", "ERR_COUNT", /allgatherv\(counts=\[array of \d+\]\): counts has \d+ entries but the communicator has \d+ ranks?: one count per rank/, true, false],
  ["allgatherv counts not an array", "ERR_ARG", /allgatherv\(counts=3\): counts must be an array of \d+ counts, one per rank/, true, false],
  ["allgatherv data not a typed array", "ERR_ARG", /allgatherv\(data=\[array of 2\]\): data must be a typed array/, true, false],
  ["gatherv negative count", "ERR_COUNT", /gatherv\(counts=\[array of \d+\]\): counts\[0\] is -1: a count must be a non-negative integer/, true, false],
  ["igatherv fractional count (synchronous)", "ERR_COUNT", /igatherv\(counts=\[array of \d+\]\): counts\[\d+\] is 0\.5: a count must be a non-negative integer/, true, false],
  ["scatterv data shorter than its counts on the root", "ERR_COUNT", /scatterv\(data\): data has \d+ elements? but the sum of counts is \d+: a buffer must hold exactly what its counts say/, true, false],
  ["scatterv counts missing on the root", "ERR_ARG", /scatterv\(counts=undefined\): counts must be an array of \d+ counts, one per rank, on the root/, true, false],
  ["allgatherv data longer than its count on one rank", "ERR_COUNT", /allgatherv\(data\): data has \d+ elements? but counts\[\d+\] is \d+/, true, false],
  ["alltoallv data shorter than its sendCounts on one rank", "ERR_COUNT", /alltoallv\(data\): data has \d+ elements? but the sum of sendCounts is \d+/, true, false],
  ["ialltoallv sendCounts too short (synchronous)", "ERR_COUNT", /ialltoallv\(sendCounts=\[array of \d+\]\): sendCounts has \d+ entries/, true, false],
  ["reduceScatter counts that do not add up on one rank", "ERR_COUNT", /reduceScatter\(data\): data has \d+ elements? but the sum of counts is \d+/, true, false],
  ["ireduceScatter negative count (synchronous)", "ERR_COUNT", /ireduceScatter\(counts=\[array of \d+\]\): counts\[\d+\] is -\d+/, true, false],
  ["allgatherv counts differ on one rank", "ERR_COLL_MISMATCH", /allgatherv\(counts\): rank \d+ passed other counts than this rank: every rank must pass the same counts/, true, true],
  ["allgatherv kinds differ on one rank", "ERR_COLL_MISMATCH", /allgatherv\(\): collective mismatch in allgatherv \(call #\d+\): (Float64Array|Int32Array) here but (Float64Array|Int32Array) on rank \d+/, true, true],
  ["gatherv count disagrees with the root's", "ERR_COLL_MISMATCH", /gatherv\(counts\): the block from rank \d+ has \d+ elements? but counts\[\d+\] here is \d+/, false, true],
  ["gatherv kinds differ", "ERR_COLL_MISMATCH", /gatherv\(\): collective mismatch in gatherv \(call #\d+\): Float64Array here but BigInt64Array on rank \d+/, false, true],
  ["scatterv counts disagree with the root's", "ERR_COLL_MISMATCH", /scatterv\(counts\): rank 0 passed other counts than this rank/, false, true],
  ["alltoallv recvCounts disagree with the sender", "ERR_COLL_MISMATCH", /alltoallv\(recvCounts\): the block from rank 0 has 1 element but recvCounts\[0\] here is 2/, false, true],
  ["reduceScatter counts differ on one rank", "ERR_COLL_MISMATCH", /reduceScatter\(counts\): rank \d+ passed other counts than this rank/, false, true],
];

function expectAllRanksOk(result: JobResult, np: number): void {
  const lines = stdoutLines(result);
  const ok = lines.filter((line) => line.startsWith("coll-vector ok"));
  expect(ok.map((line) => Number(/rank=(\d+)/.exec(line)![1])).sort((a, b) => a - b), explain(result)).toEqual(Array.from({ length: np }, (_, r) => r));
  for (const line of ok) expect(line).toMatch(new RegExp(`size=${np} checks=[1-9]\\d*$`));

  const outcomes = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Outcome);
  const expected = CASES.filter(([, , , , needsTwo]) => np > 1 || !needsTwo);
  expect([...new Set(outcomes.map((o) => o.case))].sort()).toEqual(expected.map(([name]) => name).sort());
  for (const [name, code, finding, everyCallFails] of expected) {
    const ofCase = outcomes.filter((o) => o.case === name);
    expect(ofCase.map((o) => o.rank).sort((a, b) => a - b), name).toEqual(Array.from({ length: np }, (_, r) => r));
    // Some rank found it, in the call, and said what was wrong.
    expect(ofCase.some((o) => o.inCall !== null && finding.test(o.inCall.message)), `${name}: ${JSON.stringify(ofCase)}`).toBe(true);
    for (const o of ofCase) {
      const first = o.inCall ?? o.later;
      expect(first, `${name} on rank ${o.rank}: no error`).not.toBeNull();
      expect(first!.code, `${name} on rank ${o.rank}: ${first!.message}`).toBe(code);
      expect(first!.message).toMatch(new RegExp(`^rank ${o.rank}: \\w+\\(`));
      if (o.inCall !== null) {
        expect(o.inCall.message.startsWith(`rank ${o.rank}: ${o.call}(`), o.inCall.message).toBe(true);
        if (!finding.test(o.inCall.message)) expect(o.inCall.message).toMatch(/failed on rank \d+, so it fails on every rank: rank \d+: \w+\(/);
      } else {
        expect(everyCallFails, `${name}: rank ${o.rank}'s call returned`).toBe(false);
        expect(o.later!.message.includes(`(${o.call}) returned here but failed on rank`) || o.later!.message.includes(`(${o.call}) returned here but a message of it that came later`), o.later!.message).toBe(true);
      }
    }
  }
}

describe("gatherv, scatterv, allgatherv, alltoallv and reduceScatter with counts", () => {
  it.each([1, 2, 3, 4, 5])(
    "match a serial computation at np %i (every root, uneven and zero counts, four kinds, nonblocking, world and split halves), and bad counts fail on every rank",
    async (np) => {
      expectAllRanksOk(await runFixturePassing("coll-vector.ts", np), np);
    },
  );

  it("do so with messages only (TSMPI_SHM=0)", async () => {
    expectAllRanksOk(await runFixturePassing("coll-vector.ts", 4, { env: { TSMPI_SHM: "0" } }), 4);
  });

  it("do so over tcp", async () => {
    expectAllRanksOk(await runFixturePassing("coll-vector.ts", 3, { transport: "tcp" }), 3);
  });

  it.each([
    [5, "ring"],
    [4, "via-reduce"],
  ] as const)("do so at np %i with the %s reduceScatter forced (where the op allows it)", async (np, algorithm) => {
    expectAllRanksOk(await runFixturePassing("coll-vector.ts", np, { env: { TSMPI_COLL_REDUCE_SCATTER: algorithm } }), np);
  });
});
