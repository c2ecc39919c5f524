import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

interface Case {
  case: string;
  code: string;
  message: string;
}

/** RANK_COUNTS and an odd count above them, for groups and hosts that leave ranks out. */
const COUNTS = [1, 2, 3, 4, 7] as const;

describe("issue 13's communicators and groups", () => {
  it.each(COUNTS)(
    "selfComm, Group, create, createGroup, splitType, idup and Comm.compare agree with references on plain arrays at np %i",
    async (np) => {
      const result = await runFixturePassing("comm-groups.ts", np);
      expect(stdoutLines(result)).toEqual([`comm-groups ok size=${np}`]);
    },
  );

  it("work the same without shared memory (TSMPI_SHM=0)", async () => {
    const result = await runFixturePassing("comm-groups.ts", 4, { env: { TSMPI_SHM: "0" } });
    expect(stdoutLines(result)).toEqual(["comm-groups ok size=4"]);
  });

  it("work the same over tcp", async () => {
    const result = await runFixturePassing("comm-groups.ts", 3, { transport: "tcp" });
    expect(stdoutLines(result)).toEqual(["comm-groups ok size=3"]);
  });

  it.each([3, 7])("work the same on each half of a split world, whose ranks are not world ranks, at np %i", async (np) => {
    const result = await runFixturePassing("comm-groups.ts", np, { args: ["--split"] });
    const halves = [Math.floor(np / 2), Math.ceil(np / 2)];
    expect(stdoutLines(result).sort()).toEqual(halves.map((half) => `comm-groups ok size=${half}`).sort());
  });
});

describe.each([1, 3])("bad group and communicator arguments at np %i", (np) => {
  it("throw a TsmpiError naming the rank, the call and the argument; a collective one fails on every rank", async () => {
    const result = await runFixturePassing("comm-groups-bad-input.ts", np);
    const cases = new Map(stdoutLines(result).map((line) => JSON.parse(line) as Case).map((c) => [c.case, c]));
    const me = np - 1;
    const range = np === 1 ? "0" : `0..${np - 1}`;
    const expectations: Array<[string, string, string]> = [
      ["selfComm before init", "ERR_STATE", "selfComm(): call await init() first"],
      ["incl rank out of range", "ERR_RANK", `rank ${me}: incl(ranks[1]=${np}): ranks[1] must be ${range} (size ${np})`],
      ["incl negative rank", "ERR_RANK", `rank ${me}: incl(ranks[0]=-1)`],
      ["incl fractional rank", "ERR_RANK", `rank ${me}: incl(ranks[0]=0.5)`],
      ["incl duplicated rank", "ERR_RANK", `rank ${me}: incl(ranks[1]): rank 0 is at ranks[0] already`],
      ["incl ranks not an array", "ERR_ARG", `rank ${me}: incl(ranks=0): ranks must be an array`],
      ["excl rank out of range", "ERR_RANK", `rank ${me}: excl(ranks[0]=${np})`],
      ["excl duplicated rank", "ERR_RANK", `rank ${me}: excl(ranks[1]): rank 0 is at ranks[0] already`],
      ["rangeIncl first out of range", "ERR_RANK", `rank ${me}: rangeIncl(ranges[0]: first=${np})`],
      ["rangeIncl last out of range", "ERR_RANK", `rank ${me}: rangeIncl(ranges[0]: last=${np})`],
      ["rangeIncl zero stride", "ERR_ARG", `rank ${me}: rangeIncl(ranges[0]: stride=0): ranges[0]: stride must be a nonzero integer`],
      ["rangeIncl not a triple", "ERR_ARG", `rank ${me}: rangeIncl(ranges[0]=[array of 2])`],
      ["rangeIncl overlapping ranges", "ERR_RANK", `rank ${me}: rangeIncl(ranges[1]): rank 0 is in ranges[0] already`],
      ["rangeExcl zero stride", "ERR_ARG", `rank ${me}: rangeExcl(ranges[0]: stride=0)`],
      ["translateRanks rank out of range", "ERR_RANK", `rank ${me}: translateRanks(ranks[0]=${np}): ranks[0] must be ${range} or PROC_NULL`],
      ["translateRanks other not a group", "ERR_GROUP", `rank ${me}: translateRanks(other): other must be a Group`],
      ["union with a non-group", "ERR_GROUP", `rank ${me}: union(other): other must be a Group`],
      ["Group.compare of a non-group", "ERR_GROUP", "compare(a): a must be a Group (got null)"],
      ["Comm.compare with a non-communicator", "ERR_COMM", "compare(b=[Group]): both arguments must be communicators"],
      ["world free", "ERR_COMM", `rank ${me}: free(): the world and self communicators cannot be freed`],
      ["selfComm free", "ERR_COMM", "rank 0: free(): the world and self communicators cannot be freed"],
      ["create with a non-group", "ERR_GROUP", `rank ${me}: create(group): group must be a Group`],
      ["splitType unknown type", "ERR_ARG", `rank ${me}: splitType(splitType=7): splitType must be COMM_TYPE_SHARED or UNDEFINED`],
      ["splitType fractional key", "ERR_ARG", `rank ${me}: splitType(key=0.5): key must be an integer`],
      ["createGroup without this rank", "ERR_GROUP", `rank ${me}: createGroup(group): this rank is not in group`],
      ["createGroup with a non-group", "ERR_GROUP", `rank ${me}: createGroup(group): group must be a Group`],
      ["createGroup of Group.EMPTY", "ERR_GROUP", `rank ${me}: createGroup(group): this rank is not in group`],
      ["createGroup negative tag", "ERR_TAG", `rank ${me}: createGroup(tag=-1)`],
      ["createGroup on a freed communicator", "ERR_COMM", `rank ${me}: createGroup(): the communicator has been freed`],
      ["idup on a freed communicator", "ERR_COMM", `rank ${me}: idup(): the communicator has been freed`],
    ];
    if (np > 1) {
      // The half of the world from split(rank % 2): the last rank's rank in it is floor(me / 2).
      const halfRank = Math.floor(me / 2);
      const outside = me % 2 === 0 ? 1 : 0;
      expectations.push(
        ["rangeIncl stride leading away from last", "ERR_ARG", `rank ${me}: rangeIncl(ranges[0]: stride=-1): ranges[0]: stride must be a positive integer, leading from 0 to ${np - 1}`],
        ["create with a group not in the communicator", "ERR_GROUP", `rank ${halfRank}: create(group): group holds world rank ${outside}, which is not in this communicator`],
        ["createGroup with a group not in the communicator", "ERR_GROUP", `rank ${halfRank}: createGroup(group): group holds world rank ${outside}`],
        ["create with a non-group on rank 0 only", "ERR_GROUP", `rank ${me}: create(): collective call`],
        ["create with groups neither the same nor disjoint", "ERR_COLL_MISMATCH", `rank ${me}: create(group): the ranks passed groups that are neither the same nor disjoint`],
        ["splitType unknown type on rank 0 only", "ERR_ARG", `rank ${me}: splitType(): collective call`],
      );
    }
    if (np > 2) {
      expectations.push(["createGroup with members passing different groups", "ERR_COLL_MISMATCH", `rank ${me}: createGroup(group): world rank 1 passed another group than the group's rank 0`]);
    }
    expect([...cases.keys()].sort()).toEqual(expectations.map(([name]) => name).sort());
    for (const [name, code, start] of expectations) {
      expect(cases.get(name)?.code, name).toBe(code);
      expect(cases.get(name)?.message, name).toContain(start);
    }
  });
});
