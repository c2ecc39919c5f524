/**
 * Reads and checks a `tsmpirun --trace` file (Trace Event Format JSON) the way a viewer would:
 * tracks from the metadata, slices, and each flow's start and end bound to the slice enclosing it.
 * Used by test/launcher/comm-trace.test.ts, on one host and across the test cluster's hosts.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

export interface Event {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  id?: number;
  bp?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface TraceFile {
  traceEvents: Event[];
  displayTimeUnit: string;
  otherData: Record<string, unknown>;
}

export function readTrace(file: string): TraceFile {
  return JSON.parse(readFileSync(file, "utf8")) as TraceFile;
}

const SENDS = new Set(["send", "isend", "sendrecv"]);
const RECEIVES = new Set(["recv", "recvWithStatus", "irecv matched", "sendrecv"]);

/** The slices of one rank's track. */
export function slicesOf(trace: TraceFile, rank: number): Event[] {
  return trace.traceEvents.filter((event) => event.ph === "X" && event.tid === rank);
}

function encloses(slice: Event, ts: number): boolean {
  return slice.ts! <= ts && ts <= slice.ts! + slice.dur!;
}

/**
 * Every property the trace must have for a job of `np` ranks whose hosts are `hosts[rank]`, whatever
 * the program did. Returns the number of flows (messages paired send -> receive).
 */
export function checkTrace(trace: TraceFile, np: number, hosts: readonly string[]): number {
  expect(trace.displayTimeUnit).toBe("ms");
  const events = trace.traceEvents;
  // One track per rank, named after it and its host.
  const names = events.filter((event) => event.ph === "M" && event.name === "thread_name");
  expect(names.map((event) => event.tid).sort((a, b) => a - b)).toEqual([...Array(np).keys()]);
  for (const event of names) expect(event.args?.name).toBe(`rank ${event.tid} (${hosts[event.tid]})`);
  const pidOfRank = new Map(names.map((event) => [event.tid, event.pid]));
  const processNames = new Map(events.filter((event) => event.ph === "M" && event.name === "process_name").map((event) => [event.pid, event.args?.name]));
  for (const [rank, pid] of pidOfRank) expect(processNames.get(pid)).toBe(hosts[rank]);

  for (const event of events) {
    if (event.ph === "M") continue;
    expect(pidOfRank.get(event.tid), `${event.ph} ${event.name} on tid ${event.tid}`).toBe(event.pid);
    if (event.ph === "X") {
      expect(event.dur).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(event.ts)).toBe(true);
    }
  }

  // Flows: each start has one end, with the same id, on the rank the message went to.
  const starts = events.filter((event) => event.ph === "s");
  const ends = new Map(events.filter((event) => event.ph === "f").map((event) => [event.id, event]));
  expect(ends.size).toBe(events.filter((event) => event.ph === "f").length);
  expect(ends.size).toBe(starts.length);
  for (const start of starts) {
    const end = ends.get(start.id);
    expect(end, `flow ${start.id}`).toBeDefined();
    expect(end!.bp).toBe("e");
    expect(start.args?.from).toBe(start.tid);
    expect(end!.tid).toBe(start.args?.to);
    // The end binds to a receive slice on the destination that took this tag.
    const receive = slicesOf(trace, end!.tid).filter((slice) => RECEIVES.has(slice.name) && encloses(slice, end!.ts!));
    expect(receive.length, `receive slice of flow ${start.id}`).toBeGreaterThanOrEqual(1);
    expect(receive.some((slice) => slice.args?.tag === start.args?.tag)).toBe(true);
  }

  // Every send slice has exactly one flow leaving it (a send to PROC_NULL has none, and bytes 0).
  for (let rank = 0; rank < np; rank++) {
    const rankStarts = starts.filter((start) => start.tid === rank);
    for (const slice of slicesOf(trace, rank).filter((candidate) => SENDS.has(candidate.name))) {
      const leaving = rankStarts.filter((start) => encloses(slice, start.ts!));
      expect(leaving.length, `flows leaving ${slice.name} at ${slice.ts} on rank ${rank}`).toBe(1);
      const sentTag = slice.name === "sendrecv" ? slice.args?.sendTag : slice.args?.tag;
      expect(leaving[0]!.args?.tag).toBe(sentTag);
      expect(leaving[0]!.args?.bytes).toBe(slice.name === "sendrecv" ? slice.args?.sentBytes : slice.args?.bytes);
    }
  }

  // Collectives: the same call, by name, with the same number on every rank of its communicator.
  const calls = new Map<string, { name: string; ranks: number[]; commSize: number }>();
  for (const event of events) {
    if (event.ph !== "X" || event.args?.sequence === undefined) continue;
    const key = `${String(event.args.comm)}/${String(event.args.commRank0)}#${String(event.args.sequence)}`;
    const call = calls.get(key) ?? { name: event.name, ranks: [], commSize: Number(event.args.commSize) };
    expect(event.name, key).toBe(call.name);
    call.ranks.push(event.tid);
    calls.set(key, call);
  }
  for (const [key, call] of calls) {
    expect(new Set(call.ranks).size, `${call.name} ${key}`).toBe(call.ranks.length);
    expect(call.ranks.length, `${call.name} ${key}`).toBe(call.commSize);
    if (key.startsWith("0/")) expect(call.ranks.length).toBe(np);
  }
  return starts.length;
}

/** Slices of each collective call on the world, `name#sequence`, each with the ranks it appears on. */
export function worldCollectives(trace: TraceFile): Map<string, number[]> {
  const calls = new Map<string, number[]>();
  for (const event of trace.traceEvents) {
    if (event.ph !== "X" || event.args?.sequence === undefined || event.args.comm !== 0) continue;
    const key = `${event.name}#${String(event.args.sequence)}`;
    calls.set(key, [...(calls.get(key) ?? []), event.tid].sort((a, b) => a - b));
  }
  return calls;
}

/** Messages comm-trace.ts sends at `np` ranks: ring, to rank 0, isends, sendrecv, probed, on the halves. */
export function fixtureMessages(np: number): number {
  const evens = Math.ceil(np / 2);
  const odds = Math.floor(np / 2);
  return np + (np - 1) + 2 * np + np + 1 + (evens > 1 ? 1 : 0) + (odds > 1 ? 1 : 0);
}
