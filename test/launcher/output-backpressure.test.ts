import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { expect, test } from "vitest";
import { expectAllLines, peakKb } from "../helpers/flood.ts";
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

/** The processes below `pid` (the ranks, and a taskset between if any). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
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
  expectAllLines(chunks, NP, LINES, WIDTH);
});

/** 2 ranks print 150 MB each; with asynchronous writes to their pipes a rank queued it all (VmHWM ~400 MB), blocking they stay near 70 MB. */
const RANK_LINES = 150_000;
const RANK_HWM_BOUND_KB = 200 * 1024;

test("with tsmpirun's reader stalled, the ranks' own memory stays bounded too (their stdout blocks), and nothing is lost", async () => {
  const child = spawn(process.execPath, [join(repoRoot, "packages/launcher/bin/tsmpirun.js"), "-n", "2", fixture("flood"), String(RANK_LINES), String(WIDTH)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.pause();
  const ranks = new Set<number>();
  const peaks = new Map<number, number>();
  const sample = (): void => {
    for (const pid of descendants(child.pid!)) ranks.add(pid);
    for (const pid of ranks) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, peakKb(pid)));
  };
  // Sampled for 3 s once both ranks run (they start slowly on a loaded machine): unbounded, each passed 400 MB by then.
  for (let index = 0; index < 50 && ranks.size < 2; index++) {
    await delay(100);
    sample();
  }
  for (let index = 0; index < 30; index++) {
    await delay(100);
    sample();
  }
  const launcherPeakKb = peakKb(child.pid!);
  expect(ranks.size).toBeGreaterThanOrEqual(2);
  expect([...peaks.values()].filter((kb) => kb >= RANK_HWM_BOUND_KB)).toEqual([]);
  expect(launcherPeakKb).toBeLessThan(LAUNCHER_RSS_BOUND_KB);

  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk)).resume();
  const exitCode = await new Promise((resolve) => child.once("close", resolve));
  expect(exitCode).toBe(0);
  expectAllLines(chunks, 2, RANK_LINES, WIDTH);
});

