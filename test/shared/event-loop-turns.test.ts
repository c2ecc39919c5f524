/**
 * While a rank's waits are all answered by polling its shared-memory queues, its program never
 * returns to the event loop by itself (each next call comes in a promise turn): the same-host
 * transport gives the event loop a turn every millisecond or so, so that timers, I/O and the
 * launcher are still heard (transport/same-host.ts, `want`).
 */
import { expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

it("timers and I/O of both ranks run while a ping-pong is answered by polling alone", async () => {
  // A polling budget of 100 s: no wait falls back to sleeping on the socket during the run.
  const result = await runFixturePassing("event-loop-turns.ts", 2, { env: { TSMPI_SPIN_US: "100000000" }, timeout: 60 });
  const reports = stdoutLines(result).map((line) => JSON.parse(line) as { rank: number; ticks: number; readDone: boolean; rounds: number });
  expect(reports.map((r) => r.rank).sort()).toEqual([0, 1]);
  for (const report of reports) {
    // A 5 ms interval over about a second: dozens of ticks when the loop turns (none if it never did).
    expect(report.ticks, JSON.stringify(report)).toBeGreaterThanOrEqual(20);
    expect(report.readDone, JSON.stringify(report)).toBe(true);
    expect(report.rounds).toBeGreaterThan(100);
  }
});
