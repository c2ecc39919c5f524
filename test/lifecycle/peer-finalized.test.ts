/**
 * A wait that only ranks which have called finalize could answer fails with ERR_PEER_FINALIZED on
 * the rank that waits, naming the rank it waits for, instead of hanging (engine/peer-finalized.ts);
 * what those ranks sent before they finalized still arrives, and ANY_SOURCE waits fail only once
 * every other rank has finalized. Over the shared-memory queues, over messages only, and over tcp.
 */
import { describe, expect, it } from "vitest";
import { explain, runFixture, stdoutLines } from "../helpers/jobs.ts";

type Outcome = { ok: unknown } | { code: string; message: string };
interface Report {
  rank: number;
  outcomes: Outcome[];
}

async function run(name: string, np: number, options: { env?: Record<string, string>; transport?: "ipc" | "tcp" }): Promise<Map<number, Outcome[]>> {
  const result = await runFixture("peer-finalized.ts", np, { args: [name], timeout: 30, ...options });
  expect(result.exitCode, explain(result)).toBe(0);
  const reports = stdoutLines(result).map((line) => JSON.parse(line) as Report);
  expect(reports.map((r) => r.rank).sort(), explain(result)).toEqual(Array.from({ length: np }, (_, r) => r));
  return new Map(reports.map((r) => [r.rank, r.outcomes]));
}

const finalizedWait = (rank: number, call: string, peer: string): RegExp =>
  new RegExp(`^rank ${rank}: ${call}\\(\\): (.*failed on rank \\d, so it fails on every rank: rank \\d: \\w+\\(\\): )?waiting for a message from ${peer}.* called finalize\\(\\) and sends nothing more`);

const expectFailed = (outcome: Outcome | undefined, code: string, message: RegExp): void => {
  expect(outcome && "code" in outcome ? outcome.code : outcome, JSON.stringify(outcome)).toBe(code);
  expect((outcome as { message: string }).message).toMatch(message);
};

describe.each([
  ["shared-memory queues", {}],
  ["messages only (TSMPI_SHM=0)", { env: { TSMPI_SHM: "0" } }],
  ["tcp", { transport: "tcp" as const, env: { TSMPI_SHM: "0" } }],
] as const)("waits for a rank that has called finalize, %s", (_, options) => {
  it.each([3, 4])("a barrier rank 1 skips fails on every other rank, at np %i", async (np) => {
    const outcomes = await run("skipped barrier", np, options);
    expect(outcomes.get(1)).toEqual([]);
    for (let r = 0; r < np; r++) if (r !== 1) expectFailed(outcomes.get(r)![0], "ERR_PEER_FINALIZED", finalizedWait(r, "barrier", "(rank 1|any rank)"));
  });

  it("an allreduce on a dup that rank 1 skips fails on every other rank", async () => {
    const outcomes = await run("skipped allreduce on a dup", 3, options);
    for (const r of [0, 2]) expectFailed(outcomes.get(r)![0], "ERR_PEER_FINALIZED", finalizedWait(r, "allreduce", "(rank 1|any rank)"));
  });

  it("a receive, a probe and a later receive from a rank that sent nothing fail", async () => {
    const outcomes = (await run("receive from a rank that sends nothing", 3, options)).get(0)!;
    expect(outcomes).toHaveLength(3);
    expectFailed(outcomes[0], "ERR_PEER_FINALIZED", finalizedWait(0, "recv", "rank 1"));
    expectFailed(outcomes[1], "ERR_PEER_FINALIZED", finalizedWait(0, "probe", "rank 1"));
    expectFailed(outcomes[2], "ERR_PEER_FINALIZED", finalizedWait(0, "recv", "rank 1"));
  });

  it("what the rank sent before it finalized all arrives, in order, at every size; only the wait after it fails", async () => {
    const outcomes = (await run("what was sent before finalize arrives", 2, options)).get(0)!;
    expect(outcomes[0]).toEqual({ ok: 40 });
    expectFailed(outcomes[1], "ERR_PEER_FINALIZED", finalizedWait(0, "recv", "rank 1"));
  });

  it("ANY_SOURCE fails only once every other rank has finalized", async () => {
    const outcomes = (await run("any source", 4, options)).get(0)!;
    expect(outcomes[0]).toEqual({ ok: "last words" });
    expectFailed(outcomes[1], "ERR_PEER_FINALIZED", finalizedWait(0, "recv", "any rank, but every other rank of the communicator has"));
  });

  it("a synchronous send the receiver never received fails", async () => {
    const outcomes = (await run("ssend nobody receives", 2, options)).get(0)!;
    expectFailed(outcomes[0], "ERR_PEER_FINALIZED", /^rank 0: ssend\(\): waiting for a message from rank 1, which has called finalize\(\)/);
  });

  // Issue 11's first case: with messages only, rank 0's bcast returns before the others find the
  // order wrong; they fail and finalize, and rank 0 is told why instead of hanging in its allreduce.
  it("a rank that returned from a failed call hears of it when the others finalize", async () => {
    const outcomes = await run("order on a dup, then finalize", 4, options);
    for (let r = 0; r < 4; r++) {
      const [outcome] = outcomes.get(r)!;
      // The finder's report, not the wait that ranks which finalized left unanswerable.
      expectFailed(outcome, "ERR_COLL_MISMATCH", new RegExp(`^rank ${r}: (bcast|allreduce)\\(\\): `));
    }
  });
});
