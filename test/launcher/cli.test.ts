import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

const usageHint = "Try 'tsmpirun --help' for usage.";

describe("tsmpirun command line", () => {
  test("--help prints usage, the options and the exit statuses, and exits 0", async () => {
    const run = await runTsmpirun(["--help"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Usage: tsmpirun");
    for (const option of ["--np", "-x", "--timeout", "--transport", "--tag-output", "--timestamp-output", "--output-dir"]) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toMatch(/2\s+bad command line/);
  });

  test("--version prints the package version and exits 0", async () => {
    const run = await runTsmpirun(["--version"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test.each([
    [["-n", "0", fixture("env")], "-n/--np must be a positive integer, got 0"],
    [["-n", "2.5", fixture("env")], "-n/--np must be a positive integer, got 2.5"],
    [["-n", "many", fixture("env")], "-n/--np must be a positive integer, got many"],
    [["-n", "2", "--bogus-option", fixture("env")], "unknown option --bogus-option"],
    [["-n", "2"], "missing PROGRAM to run"],
    [["-n", "2", "--timeout", "-1", fixture("env")], "--timeout must be a positive number"],
  ])("bad usage %j exits 2 with a message and a usage hint", async (args, message) => {
    const run = await runTsmpirun(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`tsmpirun: ${message}`);
    expect(run.stderr).toContain(usageHint);
    expect(run.stdout).toBe("");
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("a program that does not exist exits 1 with a clear message and starts nothing", async () => {
    const run = await runTsmpirun(["-n", "2", "test/fixtures/no-such-program.ts"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('tsmpirun: cannot find the program "test/fixtures/no-such-program.ts"');
    expect(run.stderr).toContain("no ranks were started");
    expect(run.tmpLeftovers).toEqual([]);
  });

  describe("bundle errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsmpi-bundle-error-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test("a syntax error exits 1 naming file and line, and no rank starts", async () => {
      const program = join(dir, "syntax.ts");
      writeFileSync(program, 'console.log("started");\nconst broken = ;\n');
      const run = await runTsmpirun(["-n", "2", program]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("tsmpirun: could not bundle");
      expect(run.stderr).toMatch(/syntax\.ts:2:\d+/);
      expect(run.stdout).not.toContain("started");
      expect(run.tmpLeftovers).toEqual([]);
    });

    test("a missing import exits 1 naming the import, and no rank starts", async () => {
      const program = join(dir, "missing-import.ts");
      writeFileSync(program, 'import { nothing } from "./not-there.ts";\nconsole.log("started", nothing);\n');
      const run = await runTsmpirun(["-n", "2", program]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("tsmpirun: could not bundle");
      expect(run.stderr).toContain("./not-there.ts");
      expect(run.stdout).not.toContain("started");
      expect(run.tmpLeftovers).toEqual([]);
    });
  });
});
