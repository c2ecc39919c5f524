/** Checks the output of test/fixtures/long-lines.ts (long lines among short ones from several ranks). */
import { expect } from "vitest";
import { longLineBody } from "../fixtures/lib/long-line.ts";

export const LONG_BYTES = 8 * 1024 * 1024;
export const SHORTS = 200;

/**
 * Checks the output of test/fixtures/long-lines.ts: each long line is one line with one prefix,
 * byte for byte, and every short line is whole, each rank's in order.
 */
export function expectWholeLines(text: string, ranks: number[], longRanks: number[], options: { tag: boolean; bytes?: number; partial?: number[] }): void {
  const lines = text.split("\n");
  expect(lines.pop()).toBe("");
  const next = new Map(ranks.map((rank) => [rank, 0]));
  const longSeen: number[] = [];
  for (const line of lines) {
    const match = /^(?:\[(\d+)\] )?(\d+):(short|long):/.exec(line);
    expect(match, `broken line: ${line.slice(0, 60)}`).not.toBeNull();
    const [, tag, rankText, kind] = match ?? [];
    const rank = Number(rankText);
    if (options.tag) expect(Number(tag)).toBe(rank);
    else expect(tag).toBeUndefined();
    const body = line.slice(match![0].length);
    if (kind === "short") {
      expect(body).toBe(String(next.get(rank)));
      next.set(rank, next.get(rank)! + 1);
      continue;
    }
    longSeen.push(rank);
    const expected = longLineBody(rank, options.bytes ?? LONG_BYTES);
    // A rank that died mid-line wrote it all but its "\n": the launcher ends the line.
    if (body !== expected) expect({ rank, length: body.length, same: false }).toEqual({ rank, length: expected.length, same: true });
  }
  expect(longSeen.sort()).toEqual(longRanks);
  if (options.partial === undefined) expect([...next.values()]).toEqual(ranks.map(() => SHORTS));
}
