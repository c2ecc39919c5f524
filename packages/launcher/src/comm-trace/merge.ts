/**
 * Turns the records every rank sent (`tsmpirun --trace`) into Trace Event Format events, the JSON
 * that ui.perfetto.dev and chrome://tracing open: one process per host, one thread (track) per rank,
 * a complete slice (`X`) per call, and a flow arrow (`s` -> `f`) from each user-level send to the
 * receive that took its message.
 *
 * The pairing needs nothing on the wire: MPI's non-overtaking rule makes the k-th message from A to
 * B on (context, tag) the one taken by the k-th receive at B that matched (A, context, tag),
 * whatever wildcards the receive named. Only the launcher sees both ends, so it counts here.
 */
import type { RankCommTrace } from "@tsmpi/runtime/internal/wireup";

/** One event of the Trace Event Format (the fields this file uses). */
export interface TraceEvent {
  ph: "X" | "M" | "s" | "f";
  name: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number;
  /** `e`: a flow's end binds to the slice enclosing it, not to the next one. */
  bp?: "e";
  args?: Record<string, unknown>;
}

/** What the launcher knows of one rank: its host, and its trace if it sent one. */
export interface RankTraceInput {
  host: string;
  trace: RankCommTrace | undefined;
}

export interface MergedTrace {
  events: TraceEvent[];
  /** Ranks that sent no trace (they died, or ended before leaving the job in order). */
  missing: number[];
  /** Records the ranks left out because their buffers were full. */
  dropped: number;
  /** Sends whose receive is not in the trace (never received, or its rank sent no trace). */
  unmatchedSends: number;
}

interface PendingSend {
  rank: number;
  atUs: number;
  bytes: number;
}

/** Every rank's records, `ranks[r]` for world rank r, as one list of events. */
export function mergeCommTraces(ranks: readonly RankTraceInput[]): MergedTrace {
  const events: TraceEvent[] = [];
  const pidOfHost = new Map<string, number>();
  const pidOf = (rank: number): number => pidOfHost.get(ranks[rank]?.host ?? "") ?? 0;
  for (const [rank, { host }] of ranks.entries()) {
    if (!pidOfHost.has(host)) {
      const pid = pidOfHost.size + 1;
      pidOfHost.set(host, pid);
      events.push({ ph: "M", name: "process_name", pid, tid: 0, args: { name: host } });
      events.push({ ph: "M", name: "process_sort_index", pid, tid: 0, args: { sort_index: pid } });
    }
    const pid = pidOf(rank);
    events.push({ ph: "M", name: "thread_name", pid, tid: rank, args: { name: `rank ${rank} (${host})` } });
    events.push({ ph: "M", name: "thread_sort_index", pid, tid: rank, args: { sort_index: rank } });
  }

  // Sends first, in each rank's posting order: the queue of every (from, to, context, tag).
  const sends = new Map<string, PendingSend[]>();
  let dropped = 0;
  const missing: number[] = [];
  for (const [rank, { trace }] of ranks.entries()) {
    if (trace === undefined) {
      missing.push(rank);
      continue;
    }
    dropped += trace.dropped;
    const pid = pidOf(rank);
    for (const record of trace.records) {
      if (record.kind === "slice") {
        events.push({
          ph: "X",
          name: record.name,
          cat: categoryOf(record.name, record.args),
          pid,
          tid: rank,
          ts: record.startUs,
          dur: Math.max(0, record.endUs - record.startUs),
          args: record.args,
        });
      } else if (record.kind === "send") {
        const key = channel(rank, record.to, record.context, record.tag);
        let queue = sends.get(key);
        if (queue === undefined) sends.set(key, (queue = []));
        queue.push({ rank, atUs: record.atUs, bytes: record.bytes });
      }
    }
  }

  let nextId = 1;
  let matched = 0;
  const taken = new Map<string, number>();
  for (const [rank, { trace }] of ranks.entries()) {
    for (const record of trace?.records ?? []) {
      if (record.kind !== "receive") continue;
      const key = channel(record.from, rank, record.context, record.tag);
      const k = taken.get(key) ?? 0;
      taken.set(key, k + 1);
      const send = sends.get(key)?.[k];
      if (send === undefined) continue;
      matched++;
      const id = nextId++;
      const args = { from: send.rank, to: rank, tag: record.tag, bytes: record.bytes, comm: record.context };
      events.push({ ph: "s", name: "message", cat: "message", id, pid: pidOf(send.rank), tid: send.rank, ts: send.atUs, args });
      events.push({ ph: "f", bp: "e", name: "message", cat: "message", id, pid: pidOf(rank), tid: rank, ts: record.atUs, args });
    }
  }
  let sent = 0;
  for (const queue of sends.values()) sent += queue.length;
  return { events, missing, dropped, unmatchedSends: sent - matched };
}

function channel(from: number, to: number, context: number, tag: number): string {
  return `${from}>${to}@${context}#${tag}`;
}

function categoryOf(name: string, args: Record<string, unknown>): string {
  if (args.sequence !== undefined) return "collective";
  return name.startsWith("wait") ? "wait" : "p2p";
}
