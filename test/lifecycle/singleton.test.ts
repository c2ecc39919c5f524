import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { fixture, repoRoot } from "../helpers/paths.ts";

function runWithoutLauncher(name: string, args: string[] = []) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("TSMPI_")));
  return spawnSync(process.execPath, ["--import", "tsx", fixture(name), ...args], { cwd: repoRoot, env, encoding: "utf8", timeout: 60_000 });
}

describe("a rank program started without tsmpirun", () => {
  it("runs as a singleton world of size 1, with every point-to-point call working", () => {
    const run = runWithoutLauncher("p2p-calls.ts");
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("p2p-calls ok size=1 sum=0");
    expect(run.status).toBe(0);
  });

  it("reports an uncaught exception with its stack and exits 1", () => {
    const run = runWithoutLauncher("fail-throw.ts", ["--rank", "0"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/rank 0 of 1 on \S+: Error: boom from rank 0/);
    expect(run.stderr).toContain("explode");
  });
});
