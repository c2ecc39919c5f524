/**
 * tsmpi as a user gets it: both packages packed into tarballs, installed with plain npm (no
 * workspace, no pnpm) into a fresh project outside this repository, then a TypeScript rank program
 * of that project run on 4 ranks with `npx tsmpirun`, and a vitest file of that project that calls
 * `launch()`. Slow (npm installs esbuild, zeromq, vitest, and compiles the shared-memory addon),
 * so it runs as one file with its steps in order.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "../helpers/paths.ts";

const project = mkdtempSync(join(tmpdir(), "tsmpi-user-project-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** The environment of a user's shell: none of the variables of this test runner or of `pnpm test`. */
const userEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(VITEST|TSMPI|npm_|PNPM_|pnpm_)/i.test(name) && name !== "NODE_OPTIONS" && name !== "NODE_ENV",
  ),
);
// pnpm puts this repository's node_modules/.bin first on PATH: a user's shell has none of it.
userEnv.PATH = (process.env.PATH ?? "").split(delimiter).filter((dir) => !dir.includes(`${sep}node_modules${sep}`)).join(delimiter);

function run(command: string, args: readonly string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: project, env: userEnv, encoding: "utf8", timeout: timeoutMs });
}

function described(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status} ${result.signal ?? ""}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

function tarballOf(packageDir: string): string {
  const out = execFileSync("npx", ["-y", "pnpm@10", "pack", "--pack-destination", project], {
    cwd: join(repoRoot, packageDir),
    env: userEnv,
    encoding: "utf8",
  });
  const tarball = out.trim().split("\n").at(-1)!.trim();
  expect(tarball).toMatch(/\.tgz$/);
  return tarball;
}

/** `src/app.ts:LINE` of the first line of the fixture containing `text`. */
function appLine(text: string): string {
  const lines = readFileSync(join(repoRoot, "test/package/project/src/app.ts"), "utf8").split("\n");
  return `src/app.ts:${lines.findIndex((line) => line.includes(text)) + 1}:`;
}

describe("a fresh npm project that installs the packed tarballs", () => {
  beforeAll(() => {
    cpSync(join(repoRoot, "test/package/project"), project, { recursive: true });
    const runtime = tarballOf("packages/runtime");
    const launcher = tarballOf("packages/launcher");
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }, null, 2));
    const install = run(
      "npm",
      ["install", "--no-audit", "--no-fund", runtime, launcher, "is-number@7", "vitest@^4.1.0", "typescript@~5.9.3", "@types/node@^20.19.0"],
      400_000,
    );
    expect(install.status, described(install)).toBe(0);
  }, 420_000);

  test("ships compiled JavaScript with types and no stale output", () => {
    for (const name of ["runtime", "launcher"]) {
      const dir = join(project, "node_modules/@tsmpi", name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports: Record<string, unknown> };
      expect(manifest.exports["."]).toMatchObject({ types: "./dist/index.d.ts", import: "./dist/index.js" });
      const files = execFileSync("find", ["dist", "-name", "*.js"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
      expect(files.length).toBeGreaterThan(5);
      const stale = files.filter((file) => !existsSync(join(dir, file.replace(/^dist/, "src").replace(/\.js$/, ".ts"))));
      expect(stale).toEqual([]);
    }
  });

  test("the project type-checks against the shipped declarations", () => {
    const tsc = run("npx", ["tsc", "-p", "."]);
    expect(tsc.status, described(tsc)).toBe(0);
  });

  test("npx tsmpirun -n 4 runs the project's TypeScript program with its own dependency", () => {
    const job = run("npx", ["tsmpirun", "-n", "4", "src/app.ts", "1000"]);
    expect(job.status, described(job)).toBe(0);
    expect(job.stdout).toBe("sum of 1..1000 on 4 ranks = 500500\n");
    expect(job.stderr).toBe("");
  });

  test("a failing rank's stack trace names the project's source file, line and column", () => {
    const job = run("npx", ["tsmpirun", "-n", "2", "src/app.ts", "10", "--fail"]);
    expect(job.status, described(job)).toBe(1);
    expect(job.stderr).toContain("rank 1 failed on purpose");
    expect(job.stderr).toMatch(new RegExp(`${join(project, appLine("failed on purpose")).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\d+`));
    expect(job.stderr).toContain(join(project, appLine("failHere();")));
    expect(job.stderr).not.toContain(".cache");
  });

  test("a program importing a package that is not installed is told what to install", () => {
    const job = run("npx", ["tsmpirun", "-n", "2", "src/missing-dependency.ts"]);
    expect(job.status, described(job)).toBe(1);
    expect(job.stderr).toContain("npm install left-pad-not-installed");
    expect(job.stderr).not.toContain("mark the path");
  });

  test("the project's own vitest file calls launch() and passes", () => {
    const vitest = run("npx", ["vitest", "run", "--reporter", "verbose"], 180_000);
    expect(vitest.status, described(vitest)).toBe(0);
    expect(vitest.stdout).toContain("launch() runs the project's program on 4 ranks");
    expect(vitest.stdout).toMatch(/1 passed/);
  });
});
