import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { launch } from "../../packages/launcher/src/index.ts";
import { expectWholeLines, LONG_BYTES, SHORTS } from "../helpers/long-lines.ts";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

describe("long lines", () => {
  test("an 8 MB line from each of 2 ranks arrives as one line with one prefix, byte for byte, among other ranks' short lines", async () => {
    const run = await runTsmpirun(["-n", "4", "--tag-output", fixture("long-lines"), "ok", String(LONG_BYTES), "0,1", String(SHORTS)]);
    expect(run.exitCode).toBe(0);
    expectWholeLines(run.stdout, [0, 1, 2, 3], [0, 1], { tag: true });
  });

  test("without a prefix too, long lines are not interleaved with other ranks' lines", async () => {
    const run = await runTsmpirun(["-n", "3", fixture("long-lines"), "ok", String(LONG_BYTES), "1,2", String(SHORTS)]);
    expect(run.exitCode).toBe(0);
    expectWholeLines(run.stdout, [0, 1, 2], [1, 2], { tag: false });
  });

  test("a rank that dies mid-line: its line is ended with a newline and the other ranks' output goes on", async () => {
    const bytes = 3 * 1024 * 1024;
    const run = await runTsmpirun(["-n", "3", "--tag-output", fixture("long-lines"), "die", String(bytes), "0", String(SHORTS)]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/rank 0/);
    // Ranks 1 and 2 may be ended by the launcher before they wrote all their lines: what they wrote is whole.
    expectWholeLines(run.stdout, [0, 1, 2], [0], { tag: true, bytes, partial: [1, 2] });
  });

  test("launch() with outputDir: a long line is one line of the rank's file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsmpi-long-lines-"));
    try {
      const result = await launch({ np: 3, program: fixture("long-lines"), args: ["ok", String(LONG_BYTES), "0,2", String(SHORTS)], outputDir: dir, tagOutput: true, timeout: 30 });
      expect(result.exitCode).toBe(0);
      for (const rank of [0, 1, 2]) {
        const text = readFileSync(join(dir, `rank.${rank}`, "stdout"), "utf8");
        expectWholeLines(text, [rank], rank === 1 ? [] : [rank], { tag: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a rank holding a long line open while it waits for ranks whose output waits for it: the launcher ends its line, no deadlock", async () => {
    const run = await runTsmpirun(["-n", "2", "--tag-output", "--timeout", "30", fixture("hold-line")]);
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines.pop()).toBe("");
    const shorts = lines.filter((line) => line.startsWith("[1] "));
    expect(shorts.length).toBe(40_000);
    expect(shorts.every((line, index) => line === `[1] 1:short:${index}:${"s".repeat(90)}`)).toBe(true);
    // Rank 0's line, cut where the launcher ended it, with every byte.
    const held = lines.filter((line) => line.startsWith("[0] ")).map((line) => line.slice(4));
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(held.join("")).toBe(`0:held:${"h".repeat(2 * 1024 * 1024)}:end`);
  });
});

