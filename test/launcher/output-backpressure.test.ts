import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { expect, test } from "vitest";
import { fixture, repoRoot } from "../helpers/paths.ts";

const NP = 4;
const LINES = 60_000;
const WIDTH = 1000;
/** 4 ranks print ~240 MB; the launcher buffering for a stalled reader passed 300 MB within 2 s, bounded it stays near 60 MB. */
const LAUNCHER_RSS_BOUND_KB = 200 * 1024;

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0);
}

test("a stalled reader of tsmpirun's stdout slows the ranks down instead of growing the launcher, and loses nothing", async () => {
  const child = spawn(process.execPath, [join(repoRoot, "packages/launcher/bin/tsmpirun.js"), "-n", String(NP), fixture("flood"), String(LINES), String(WIDTH)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.pause();
  // The reader stalls while the ranks print: sample the launcher's memory meanwhile.
  let peakKb = 0;
  for (let sample = 0; sample < 20; sample++) {
    await delay(100);
    peakKb = Math.max(peakKb, rssKb(child.pid!));
  }
  expect(peakKb).toBeLessThan(LAUNCHER_RSS_BOUND_KB);

  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk)).resume();
  const exitCode = await new Promise((resolve) => child.once("close", resolve));
  expect(exitCode).toBe(0);
  const next = new Array<number>(NP).fill(0);
  const filler = "x".repeat(WIDTH);
  const lines = Buffer.concat(chunks).toString("utf8").split("\n");
  expect(lines.pop()).toBe("");
  // Plain checks per line (240 000 expect() calls would take longer than the job).
  const broken = lines.filter((line) => {
    const [rank, index, rest] = line.split(":");
    if (rest !== filler || Number(index) !== next[Number(rank)]) return true;
    next[Number(rank)]! += 1;
    return false;
  });
  expect(broken.slice(0, 3).map((line) => line.slice(0, 40))).toEqual([]);
  expect(next).toEqual(new Array(NP).fill(LINES));
});
