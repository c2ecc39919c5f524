/**
 * Issue 5's targets, in the order, then issue 12's, each with the part that measures it. REPORT.md lists all
 * of them every run: a target no part reported on is "not measured" with the reason (part missing,
 * failed, not selected, or the case not in the reduced --quick set).
 */
import type { TargetResult, Verdict } from "./part.ts";

export interface Target {
  id: string;
  /** The target as issue 5 states it. */
  text: string;
  part: string;
}

export const TARGETS: readonly Target[] = [
  { id: "latency-8b", text: "8 B ping-pong latency at most 1.3x the bare zeromq.js floor", part: "pingpong" },
  { id: "bandwidth-4mib", text: "4 MiB bandwidth at least 0.5x Open MPI C over shared memory", part: "pingpong" },
  { id: "allreduce-1mib-c", text: "1 MiB float64 allreduce at n = 16 within 2x of Open MPI C", part: "collectives" },
  { id: "allreduce-1mib-mpi4py", text: "1 MiB float64 allreduce at n = 16 at most half of mpi4py's pickled allreduce", part: "collectives" },
  { id: "heat-n2-c", text: "heat.ts at n = 2 within 1.5x of C + Open MPI", part: "heat" },
  { id: "heat-mpi4py", text: "heat.ts faster than mpi4py + numpy at every n", part: "heat" },
  { id: "launch-16", text: "`tsmpirun -n 16` hello start to exit at most 1.5x `mpirun -n 16 python3 hello.py`", part: "launch" },
  { id: "idle-cpu", text: "an idle rank uses no CPU while it waits (no busy polling by default)", part: "launch" },
  { id: "memory-16", text: "16 ranks fit in 1.5 GiB", part: "launch" },
  { id: "allreduce-1mib-3hosts", text: "1 MiB float64 allreduce across 3 hosts over tcp within 2x of Open MPI tcp", part: "multihost" },
  // Issue 12: same-host messages and collectives at shared-memory speed.
  { id: "latency-8b-mpi4py", text: "(issue 12) 8 B typed-array half round trip at most 2x mpi4py buffer", part: "pingpong" },
  { id: "latency-object-pickle", text: "(issue 12) small object half round trip at most 1x mpi4py pickle", part: "pingpong" },
  { id: "bandwidth-4mib-today", text: "(issue 12) 4 MiB bandwidth at least 0.62x Open MPI C (the figure before the queues)", part: "pingpong" },
  { id: "barrier-2-c", text: "(issue 12) barrier at n = 2 at most 5x Open MPI C", part: "collectives" },
  { id: "allreduce-1-n2-c", text: "(issue 12) allreduce of 1 float64 at n = 2 at most 5x Open MPI C", part: "collectives" },
  { id: "barrier-16-c", text: "(issue 12) barrier at n = 16 (on 2 cores) at most 2x Open MPI C", part: "collectives" },
  { id: "allreduce-1mib-16-c-1x", text: "(issue 12) 1 MiB float64 allreduce at n = 16 at most 1x Open MPI C", part: "collectives" },
  { id: "heat-n16-c", text: "(issue 12) heat.ts 2048 x 2048 at n = 16 at most 1.3x C + Open MPI", part: "heat" },
];

/**
 * A verdict from a ratio of medians: met when `ratio <= limit` (or `>= limit` for "at least");
 * "not measured" when either side is missing.
 */
export function judge(
  id: string,
  tsmpi: number,
  reference: number,
  limit: number,
  direction: "at most" | "at least",
  /** Gets the ratio as text: "1.05x", or "–" when a side is missing. */
  describe: (ratio: string) => string,
): TargetResult {
  const known = Number.isFinite(tsmpi) && Number.isFinite(reference) && reference > 0;
  if (!known) return { id, verdict: "not measured", figures: describe("–") };
  const ratio = tsmpi / reference;
  const ok = direction === "at most" ? ratio <= limit : ratio >= limit;
  return { id, verdict: ok ? "met" : "missed", figures: describe(`${ratio.toFixed(2)}x`) };
}

export const verdictMark = (v: Verdict): string => (v === "met" ? "**met**" : v === "missed" ? "**missed**" : "not measured");
