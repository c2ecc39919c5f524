import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

const NP = 4;
const COUNT = 150;
const WIDTH = 3000;

/** Every line must be one whole line of one rank: `<rank>:<stream>:<index>:<letter * WIDTH>é`. */
function expectWholeLines(text: string, stream: string, prefix = ""): void {
  const lines = text.split("\n");
  expect(lines.pop()).toBe("");
  const seen = new Map<number, number>();
  for (const line of lines) {
    expect(line.startsWith(prefix)).toBe(true);
    const body = line.slice(prefix.length);
    const match = /^(\d+):(\w+):(\w+):(.*)$/.exec(body);
    expect(match, `mixed or broken line: ${body.slice(0, 80)}`).not.toBeNull();
    const [, rank, name, index, filler] = match ?? [];
    expect(name).toBe(stream);
    if (index === "last") expect(filler).toBe("unterminated");
    else expect(filler).toBe(`${String.fromCharCode(65 + Number(rank)).repeat(WIDTH)}é`);
    seen.set(Number(rank), (seen.get(Number(rank)) ?? 0) + 1);
  }
  expect([...seen.entries()].sort()).toEqual([...Array(NP).keys()].map((rank) => [rank, COUNT + 1]));
}

describe("rank output", () => {
  test("lines of ranks writing long lines concurrently are never mixed, and last partial lines are flushed", async () => {
    const run = await runTsmpirun(["-n", String(NP), fixture("lines"), String(COUNT), String(WIDTH)]);
    expect(run.exitCode).toBe(0);
    expectWholeLines(run.stdout, "out");
    expectWholeLines(run.stderr, "err");
  });

  test("--tag-output prefixes every line with [rank]", async () => {
    const run = await runTsmpirun(["-n", "3", "--tag-output", fixture("env")]);
    expect(run.exitCode).toBe(0);
    for (const line of run.stdout.trim().split("\n")) {
      const [, tag, json] = /^\[(\d+)\] (.*)$/.exec(line) ?? [];
      expect(JSON.parse(json ?? "null").rank).toBe(Number(tag));
    }
  });

  test("--timestamp-output prefixes every line with an ISO timestamp, before the tag", async () => {
    const before = Date.now();
    const run = await runTsmpirun(["-n", "2", "--timestamp-output", "--tag-output", fixture("env")]);
    expect(run.exitCode).toBe(0);
    for (const line of run.stdout.trim().split("\n")) {
      const [, stamp, tag] = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) \[(\d)\] \{/.exec(line) ?? [];
      expect(tag).toMatch(/^[01]$/);
      expect(Date.parse(stamp ?? "")).toBeGreaterThanOrEqual(before - 1000);
    }
  });

  test("--output-dir writes DIR/rank.R/stdout and stderr and forwards nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsmpi-output-dir-"));
    try {
      const run = await runTsmpirun(["-n", String(NP), "--output-dir", join(dir, "out"), fixture("lines"), String(COUNT), String(WIDTH)]);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe("");
      expect(readdirSync(join(dir, "out")).sort()).toEqual(["rank.0", "rank.1", "rank.2", "rank.3"]);
      const all = { out: "", err: "" };
      for (let rank = 0; rank < NP; rank++) {
        const stdout = readFileSync(join(dir, "out", `rank.${rank}`, "stdout"), "utf8");
        expect(stdout.split("\n").filter(Boolean).every((line) => line.startsWith(`${rank}:out:`))).toBe(true);
        all.out += stdout;
        all.err += readFileSync(join(dir, "out", `rank.${rank}`, "stderr"), "utf8");
      }
      expectWholeLines(all.out, "out");
      expectWholeLines(all.err, "err");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
