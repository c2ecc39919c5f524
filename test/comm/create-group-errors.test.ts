import { describe, expect, it } from "vitest";
import type { JobResult } from "@tsmpi/launcher";
import { runFixturePassing } from "../helpers/jobs.ts";

interface Case {
  case: string;
  code: string;
  message: string;
}

type Expectation = [code: string, start: string];

/** What rank `rank` of `size` must report for each case: the finder its own error, the others the finder's. */
function expectations(size: number, rank: number): Map<string, Expectation> {
  const expected = new Map<string, Expectation>();
  const elsewhere = (me: number, finder: number, report: string): string =>
    `rank ${me}: createGroup(): the call failed on rank ${finder}, so it fails on every member that made it: ${report}`;
  const found = (me: number, finder: number, report: string): string => (me === finder ? report : elsewhere(me, finder, report));
  if (size > 1) {
    const halfRank = Math.floor(rank / 2);
    const halfSize = rank % 2 === 0 ? Math.ceil(size / 2) : Math.floor(size / 2);
    const outside = rank % 2 === 0 ? 1 : 0;
    for (const [name, culprit] of [
      ["group not in the communicator, on the last member", halfSize - 1],
      ["group not in the communicator, on the group's rank 0", 0],
    ] as const) {
      const report = `rank ${culprit}: createGroup(group): group holds world rank ${outside}, which is not in this communicator`;
      expected.set(name, ["ERR_GROUP", found(halfRank, culprit, report)]);
    }
  }
  const last = size - 1;
  expected.set("caller not in the group", ["ERR_GROUP", found(rank, last, `rank ${last}: createGroup(group): this rank is not in group`)]);
  expected.set("tag above TAG_UB on every member", ["ERR_TAG", `rank ${rank}: createGroup(tag=`]);
  if (size > 2) {
    expected.set("members passing different groups", [
      "ERR_COLL_MISMATCH",
      `rank ${rank}: createGroup(group): world rank ${last} passed another group than the group's rank 0 (world rank 0)`,
    ]);
  }
  return expected;
}

function checkEveryMember(result: JobResult, size: number): void {
  expect(result.ranks).toHaveLength(size);
  result.ranks.forEach((outcome, rank) => {
    const lines = outcome.stdout.split("\n").filter((line) => line !== "");
    const cases = new Map(lines.map((line) => JSON.parse(line) as Case).map((c) => [c.case, c]));
    const expected = expectations(size, rank);
    expect([...cases.keys()].sort(), `rank ${rank}`).toEqual([...expected.keys()].sort());
    for (const [name, [code, start]] of expected) {
      expect(cases.get(name)?.code, `rank ${rank}: ${name}`).toBe(code);
      expect(cases.get(name)?.message, `rank ${rank}: ${name}`).toContain(start);
    }
  });
}

describe("createGroup's argument errors reach every member that called it", () => {
  it.each([1, 2, 3, 4, 7])("each member rejects, naming the finder, and the parent stays usable, at np %i", async (np) => {
    checkEveryMember(await runFixturePassing("comm-create-group-errors.ts", np), np);
  });

  it.each([4, 7])("the same without shared memory (TSMPI_SHM=0) at np %i", async (np) => {
    checkEveryMember(await runFixturePassing("comm-create-group-errors.ts", np, { env: { TSMPI_SHM: "0" } }), np);
  });

  it.each([3, 4])("the same over tcp at np %i", async (np) => {
    checkEveryMember(await runFixturePassing("comm-create-group-errors.ts", np, { transport: "tcp" }), np);
  });
});
