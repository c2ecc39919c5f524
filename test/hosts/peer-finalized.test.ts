/**
 * Waits for ranks that have finalized, across the three-host test cluster (test/helpers/cluster.ts):
 * the finalize notice reaches ranks of other hosts, after the finalized rank's last message to each
 * (over tcp) or from tsmpirun (to ranks it never sent to), as on one host (test/lifecycle/peer-finalized.test.ts).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { onCluster, requireCluster, skipCluster, withClusterShared } from "../helpers/cluster.ts";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

type Outcome = { ok: unknown } | { code: string; message: string };

async function run(name: string): Promise<Map<number, Outcome[]>> {
  // Ranks 0 and 1 on different hosts, rank 2 with rank 1, rank 3 alone.
  const job = await withClusterShared(() => runTsmpirun(onCluster("--timeout", "30", "-n", "4", "--host", "n1:1,n2:2,n3:1", fixture("peer-finalized"), name)));
  expect(job.exitCode, `stdout:\n${job.stdout}\nstderr:\n${job.stderr}`).toBe(0);
  const reports = job.stdout.trim().split("\n").map((line) => JSON.parse(line) as { rank: number; outcomes: Outcome[] });
  expect(reports.map((r) => r.rank).sort()).toEqual([0, 1, 2, 3]);
  return new Map(reports.map((r) => [r.rank, r.outcomes]));
}

describe.skipIf(skipCluster("test/hosts/peer-finalized.test.ts"))("waits for a rank that has finalized, across hosts", () => {
  beforeAll(requireCluster);

  test("a barrier rank 1 (on n2) skips fails on the ranks of n1, n2 and n3", async () => {
    const outcomes = await run("skipped barrier");
    for (const r of [0, 2, 3]) {
      const [outcome] = outcomes.get(r)!;
      expect(outcome && "code" in outcome ? outcome.code : outcome, JSON.stringify(outcome)).toBe("ERR_PEER_FINALIZED");
    }
  });

  test("what rank 1 sent over tcp before it finalized all arrives on n1; only the wait after it fails", async () => {
    const outcomes = (await run("what was sent before finalize arrives")).get(0)!;
    expect(outcomes[0]).toEqual({ ok: 40 });
    expect(outcomes[1] && "code" in outcomes[1] ? outcomes[1].code : outcomes[1]).toBe("ERR_PEER_FINALIZED");
  });
});
