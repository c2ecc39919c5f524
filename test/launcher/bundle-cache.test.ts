import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

const work = mkdtempSync(join(tmpdir(), "tsmpi-cache-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the bundle cache", () => {
  test("an unchanged program reuses its bundle; an edit to it or to a file it imports rebuilds", async () => {
    const cache = join(work, "cache");
    const env = { TSMPIRUN_CACHE_DIR: cache, TSMPIRUN_TRACE: "1" };
    writeFileSync(join(work, "word.ts"), 'export const word = "one";\n');
    writeFileSync(join(work, "main.ts"), 'import { word } from "./word.ts";\nconsole.log(`main ${word}`);\n');
    const program = join(work, "main.ts");

    const first = await runTsmpirun(["-n", "1", program], { env });
    expect(first.stdout).toBe("main one\n");
    expect(first.stderr).toContain("bundle: built");
    const second = await runTsmpirun(["-n", "1", program], { env });
    expect(second.stdout).toBe("main one\n");
    expect(second.stderr).toContain("bundle: cache hit");

    writeFileSync(join(work, "word.ts"), 'export const word = "two";\n');
    const edited = await runTsmpirun(["-n", "1", program], { env });
    expect(edited.stdout).toBe("main two\n");
    expect(edited.stderr).toContain("bundle: built");
    expect(readdirSync(join(cache, "bundles")).filter((name) => name.endsWith(".mjs"))).toHaveLength(2);
  });

  test("TSMPIRUN_CACHE=0 always builds", async () => {
    writeFileSync(join(work, "plain.ts"), 'console.log("plain");\n');
    const run = await runTsmpirun(["-n", "1", join(work, "plain.ts")], { env: { TSMPIRUN_CACHE: "0", TSMPIRUN_TRACE: "1" } });
    expect(run.stdout).toBe("plain\n");
    expect(run.stderr).toContain("bundle: built");
  });
});
