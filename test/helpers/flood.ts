/** Checking test/fixtures/flood.ts jobs: their output, and the memory of the processes that carried it. */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** Peak resident size (VmHWM) of a process, 0 once it is gone. */
export function peakKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Checks flood.ts output: every rank's lines whole and in order, `count` of them each. */
export function expectAllLines(chunks: Buffer[], np: number, count: number, width: number): void {
  const next = new Array<number>(np).fill(0);
  const filler = "x".repeat(width);
  const lines = Buffer.concat(chunks).toString("utf8").split("\n");
  expect(lines.pop()).toBe("");
  // Plain checks per line (hundreds of thousands of expect() calls would take longer than the job).
  const broken = lines.filter((line) => {
    const [rank, index, rest] = line.split(":");
    if (rest !== filler || Number(index) !== next[Number(rank)]) return true;
    next[Number(rank)]! += 1;
    return false;
  });
  expect(broken.slice(0, 3).map((line) => line.slice(0, 40))).toEqual([]);
  expect(next).toEqual(new Array(np).fill(count));
}
