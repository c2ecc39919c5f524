import { describe, expect, test } from "vitest";
import { launch } from "../../packages/launcher/src/index.ts";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

describe("many ranks and idle ranks", () => {
  // 64 ranks on 2 cores: ~6 s alone, up to ~15 s while another test file runs beside it.
  test("64 ranks wire up and run a barrier and an allreduce", async () => {
    const result = await launch({ np: 64, program: fixture("launch-many"), timeout: 60 });
    expect(result.exitCode, result.failure).toBe(0);
    expect(JSON.parse(result.ranks[0]!.stdout)).toEqual({ size: 64, sum: 2080 });
  });

  test("a rank waiting 3 s in recv uses (almost) no CPU time", async () => {
    const result = await launch({ np: 2, program: fixture("launch-idle-wait"), args: ["3000"], timeout: 60 });
    expect(result.exitCode, result.failure).toBe(0);
    const waited = JSON.parse(result.ranks[1]!.stdout) as { message: string; waitedMs: number; cpuMs: number; rusageMs: number };
    expect(waited.message).toBe("wake up");
    // A property, not a timing: polling every millisecond would cost hundreds of ms over 3 s.
    expect(waited.cpuMs).toBeLessThan(50);
    expect(waited.rusageMs).toBeLessThan(50);
  });

  test("a rank count the host cannot hold is refused in one line before any rank starts", async () => {
    const run = await runTsmpirun(["-n", "100000", fixture("env")]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^tsmpirun: 100000 ranks cannot start on this host, which has room for about \d+ \((memory|processes|threads|open files): .+\); no ranks were started\n$/);
    expect(run.tmpLeftovers).toEqual([]);
  });
});
