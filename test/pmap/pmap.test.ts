import { describe, expect, it } from "vitest";
import { jobProcesses } from "../helpers/processes.ts";
import { explain, RANK_COUNTS, runFixture, runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

/** `counts=a,b,c` of a pmap-basic line: items run per rank. */
function counts(line: string): number[] {
  return /counts=([\d,]+)/.exec(line)![1]!.split(",").map(Number);
}

describe("pmap", () => {
  it.each(RANK_COUNTS)(
    "gives every rank the results in item order with uneven task times, chunkSize 7, root = last rank and allRanks at np %i",
    async (np) => {
      const result = await runFixturePassing("pmap-basic.ts", np, { args: ["--n", "50", "--chunk", "7", "--root", "3", "--all"] });
      const lines = stdoutLines(result).sort();
      expect(lines).toHaveLength(np);
      lines.forEach((line, rank) => expect(line).toMatch(new RegExp(`^pmap ok rank=${rank} size=${np} n=50 counts=`)));
      // Every rank saw the same assignment; the root (last rank) only dispatches when it has workers.
      expect(new Set(lines.map((line) => line.replace(/rank=\d+ /, ""))).size).toBe(1);
      const perRank = counts(lines[0]!);
      expect(perRank.reduce((a, b) => a + b, 0)).toBe(50);
      if (np > 1) expect(perRank[np - 1]).toBe(0);
    },
  );

  it("balances the load: at np 4 several ranks work and a slow rank runs fewer items than each of the others", async () => {
    const result = await runFixturePassing("pmap-basic.ts", 4, { args: ["--n", "60", "--slow", "1"] });
    const [line] = stdoutLines(result);
    const [root, slow, ...others] = counts(line!);
    expect(root, line).toBe(0);
    expect(others.every((count) => count > 0), line).toBe(true);
    for (const count of others) expect(slow, line).toBeLessThan(count);
  });

  it("runs on the two halves of a split at once, and a message sent before it on the world is received after it", async () => {
    const result = await runFixturePassing("pmap-basic.ts", 4, { args: ["--n", "30", "--on", "split", "--all"] });
    const lines = stdoutLines(result).sort();
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^pmap ok group=[01] rank=[01] size=2 n=30 counts=0,30$/);
  });

  it.each(RANK_COUNTS)(
    "a throwing task reaches every rank as ERR_TASK naming item 7 and the rank that ran it, and the rest is cancelled at np %i",
    async (np) => {
      const result = await runFixturePassing("pmap-throw.ts", np, { args: ["--catch"] });
      const all = stdoutLines(result);
      expect(all).toContain("ran fewer than all items");
      const lines = all.filter((line) => line.startsWith("rank "));
      expect(lines).toHaveLength(np);
      const ranBy = Number(/ranBy=(\d+)/.exec(lines[0]!)![1]);
      if (np > 1) expect(ranBy).not.toBe(0);
      for (const line of lines) {
        const rank = Number(/^rank (\d+):/.exec(line)![1]);
        expect(line).toContain(
          `true code=ERR_TASK index=7 ranBy=${ranBy} cause=ItemFailure: item 7 is cursed own=${rank === ranBy} ` +
            `message=rank ${ranBy}: pmap(item=7): fn(items[7], 7) threw: ItemFailure: item 7 is cursed`,
        );
      }
    },
  );

  it("an uncaught task error fails the job; the report names the item, the rank and where fn threw", async () => {
    const result = await runFixture("pmap-throw.ts", 3);
    expect(result.exitCode, explain(result)).toBe(1);
    expect(result.failure).toMatch(/rank \d: pmap\(item=7\): fn\(items\[7\], 7\) threw: ItemFailure: item 7 is cursed/);
    expect(result.failure).toMatch(/Caused by: ItemFailure: item 7 is cursed\n\s+at .*pmap-throw\.ts:\d+/);
    expect(jobProcesses(result.jobId)).toEqual([]);
  });
});
