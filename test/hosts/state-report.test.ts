/**
 * The state report across hosts, on the three-host test cluster (test/helpers/cluster.ts): ranks
 * on n1, n2 and n3 answer tsmpirun's request through their agents, on --timeout and on SIGUSR1.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { onCluster, requireCluster, skipCluster, withClusterShared } from "../helpers/cluster.ts";
import { fixture } from "../helpers/paths.ts";
import { blockOf } from "../helpers/state-report.ts";
import { runTsmpirun, startTsmpirun } from "../helpers/tsmpirun.ts";

/** Rank 0 on n1, rank 1 on n2, ranks 2 and 3 on n3. */
const HOSTS = ["--host", "n1:1,n2:1,n3:2", "-n", "4"];
const HOST_OF = ["n1", "n2", "n3", "n3"];

describe.skipIf(skipCluster("test/hosts/state-report.test.ts"))("the state report of ranks on three hosts", () => {
  beforeAll(requireCluster);

  test("--timeout: every rank, on its own host, says what it is blocked in, with the call's stack", async () => {
    const run = await withClusterShared(() =>
      runTsmpirun(onCluster(...HOSTS, "--timeout", "6", "--get-stack-traces", fixture("state-deadlock"), "head-to-head")),
    );
    expect(run.exitCode, run.stderr).toBe(124);
    const blocks = [0, 1, 2, 3].map((rank) => blockOf(run.stderr, rank));
    blocks.forEach((block, rank) => expect(block, run.stderr).toMatch(new RegExp(`^tsmpirun: rank ${rank} on ${HOST_OF[rank]}\\b`)));
    expect(blocks[0]).toMatch(/blocked in recv from rank 1, tag 7, on world/);
    expect(blocks[1]).toMatch(/blocked in recv from rank 0, tag 7, on world/);
    for (const block of blocks.slice(0, 2)) {
      expect(block).toMatch(/irecv from ANY_SOURCE, tag 99, on world/);
      expect(block).toMatch(/recv called at:\ntsmpirun: {7}at .*test\/fixtures\/state-deadlock\.ts:\d+:\d+/);
    }
    for (const block of blocks.slice(2)) expect(block).toMatch(/blocked in barrier #2 on world \(algorithm [\w-]+\)/);
    expect(run.stderr).toMatch(/job timed out after 6 s; ranks still running: 0, 1, 2, 3/);
  });

  test("SIGUSR1 reports remote ranks while the job goes on, and the job then finishes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hosts-state-report-"));
    const file = join(dir, "go");
    try {
      await withClusterShared(async () => {
        const running = startTsmpirun(onCluster(...HOSTS, "--timeout", "60", fixture("state-deadlock"), "wait-for-file", file));
        await running.waitForStdout(/all ranks waiting/);
        let report = "";
        for (let attempt = 0; attempt < 50 && !/rank 3 on n3.*\n.*blocked in recv/.test(report); attempt++) {
          const before = running.stderrSoFar().length;
          running.child.kill("SIGUSR1");
          while (!running.stderrSoFar().slice(before).includes("tsmpirun: rank 3 on")) await new Promise((resolve) => setTimeout(resolve, 50));
          // The block's lines come after its first line.
          await new Promise((resolve) => setTimeout(resolve, 100));
          report = running.stderrSoFar().slice(before);
        }
        expect(report).toContain("state of the ranks (on request; the job goes on):");
        expect(blockOf(report, 0)).toMatch(/^tsmpirun: rank 0 on n1\b[^]*not blocked in a tsmpi call/);
        for (const rank of [1, 2, 3]) {
          expect(blockOf(report, rank)).toMatch(new RegExp(`^tsmpirun: rank ${rank} on ${HOST_OF[rank]}\\b[^]*blocked in recv from rank 0, tag 5, on world`));
        }
        writeFileSync(file, "");
        const result = await running.result;
        expect(result.exitCode, result.stderr).toBe(0);
        for (const rank of [1, 2, 3]) expect(result.stdout).toContain(`rank ${rank} got go`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
