/**
 * The contract between `tsmpirun` and a rank: the environment a rank is started with and the
 * messages of the rendezvous (a small PMI-like key/value store with a fence).
 *
 * The launcher imports this file as `@tsmpi/runtime/internal/wireup`; nothing here is public API.
 *
 * Transport of the rendezvous: the launcher binds a ZeroMQ ROUTER socket at `TSMPI_RENDEZVOUS`;
 * each rank connects a DEALER whose routing id is `rankRoutingId(rank)`. Every message is one
 * frame of UTF-8 JSON. Ranks speak first; the launcher answers a `fence` only when every rank
 * of the job has sent its `fence`, with everything that was `put` by anyone.
 */

import type { RankCommTrace } from "../comm-trace/records.ts";

export type { RankCommTrace, TraceRecord, TraceSlice, TraceSend, TraceReceive } from "../comm-trace/records.ts";

/** Names of the environment variables the launcher sets for every rank. */
export const ENV = {
  rank: "TSMPI_RANK",
  size: "TSMPI_SIZE",
  jobId: "TSMPI_JOB_ID",
  rendezvous: "TSMPI_RENDEZVOUS",
  /** `ipc` or `tcp`: how ranks reach each other. */
  transport: "TSMPI_TRANSPORT",
  /** Private per-job directory (mode 0700) where ipc endpoints live; removed by the launcher. */
  jobDir: "TSMPI_JOB_DIR",
  /** "1" when the launcher forwards this rank's stdout to a terminal (progress bars may draw). */
  stdoutTty: "TSMPI_STDOUT_TTY",
  /**
   * Also listen on tcp at this address, for ranks on other hosts: an IP address, or `auto` for
   * the local address of the route towards the rendezvous. Unset: one host, Unix sockets only.
   */
  bindAddress: "TSMPI_BIND_ADDRESS",
  /**
   * A file (mode 0600) holding the job's CURVE key pair (wireup/auth.ts); unset: no encryption.
   * Ranks started by `srun --mpi=pmi2` have none unless the user sets it: Slurm makes no key.
   */
  keyFile: "TSMPI_KEY_FILE",
  /**
   * How the ranks meet when no tsmpirun supervises them. `rank0`: rank 0 serves the rendezvous at
   * TSMPI_RENDEZVOUS itself and every rank connects there (the emitted Kubernetes Job). Unset:
   * tsmpirun serves it.
   */
  wireup: "TSMPI_WIREUP",
  /**
   * The name of the variable holding this rank's number, read instead of TSMPI_RANK
   * (`JOB_COMPLETION_INDEX` in a Kubernetes Indexed Job, whose pods all get one template).
   */
  rankFrom: "TSMPI_RANK_FROM",
  /**
   * Seconds between reports on stderr while a rank waits for a rendezvous that is not tsmpirun's
   * (TSMPI_WIREUP=rank0); default 10. tsmpirun reports its own waits.
   */
  wireupProgress: "TSMPI_WIREUP_PROGRESS_SECONDS",
  /** "1": ranks record the stack of every call, for the state report (tsmpirun --get-stack-traces). */
  stackTraces: "TSMPI_STACK_TRACES",
  /**
   * Set by `tsmpirun --trace FILE`: the launcher's clock at the job's start (ms since the epoch). Ranks
   * then record a communication trace (comm-trace/recorder.ts), timed from that instant, and send it
   * to the launcher before they leave. Unset: nothing is recorded.
   */
  trace: "TSMPI_TRACE",
} as const;

/** How ranks reach each other: "ipc" (Unix domain sockets, one host) or "tcp". */
export type TransportKind = "ipc" | "tcp";

/** The key under which a rank publishes the endpoint its receive socket is bound to. */
export function endpointKey(rank: number): string {
  return `endpoint.${rank}`;
}

/**
 * Prefix of the names of POSIX shared-memory segments a job makes (rings, collective regions,
 * SharedArray); ranks add their host identity. The launcher and each host's agent remove any
 * left in /dev/shm when the job ends, whatever way it ended.
 */
export function sharedSegmentPrefix(jobId: string, host?: string): string {
  // With the host identity: hosts that share /dev/shm (namespaces, containers) clean up only their own.
  return host === undefined ? `tsmpi-${jobId}-` : `tsmpi-${jobId}-${host}-`;
}

export function rankRoutingId(rank: number): string {
  return `rank.${rank}`;
}

/** Messages a rank sends to the launcher. */
export type RankToLauncher =
  | { type: "hello"; rank: number; pid: number; host: string }
  | { type: "put"; rank: number; key: string; value: string }
  | { type: "fence"; rank: number }
  /** `world.abort(code)`: the launcher ends the whole job and exits with `code`. */
  | { type: "abort"; rank: number; code: number; reason: string }
  /** An uncaught exception or unhandled rejection; the rank exits with code 1 right after. */
  | { type: "error"; rank: number; message: string; stack: string }
  /**
   * The rank has called finalize (tsmpirun answers with an ack): a rank that exits 0 without this
   * while others are still in the job ended it improperly, and the launcher ends the job.
   */
  | { type: "finalize"; rank: number }
  /**
   * The rank is finalizing and has never sent a message to the ranks `to`: the launcher tells each
   * (`peer-finalized`), so that a wait of theirs for this rank fails instead of hanging. Ranks it
   * has sent to hear it from the rank itself, after its last message (engine/peer-finalized.ts).
   */
  | { type: "finalizing"; rank: number; to: number[] }
  /**
   * The rank has every address it needs and will not use the rendezvous again (TSMPI_WIREUP=rank0):
   * rank 0 closes its rendezvous once every rank has left, so no fence reply is lost with it.
   */
  | { type: "leave"; rank: number }
  /** The answer to `report-state`. */
  | { type: "state"; rank: number; request: number; state: RankStateReport }
  /**
   * This rank's communication trace (TSMPI_TRACE), sent just before `finalize`, `error` or `abort`
   * on the same socket, so it arrives before the rank leaves.
   */
  | { type: "trace"; rank: number; host: string; trace: RankCommTrace };

/** What one rank is doing, for tsmpirun's state report (--timeout, SIGUSR1). */
export interface RankStateReport {
  host: string;
  pid: number;
  /** Calls in progress and pending requests, oldest first. */
  operations: ReportedOperation[];
  /** Collective failures heard of after the call returned here, not yet reported to the program. */
  heldFailures: string[];
}

/** One call in progress in a rank (see the runtime's engine/operations.ts). */
export interface ReportedOperation {
  /** As the user called it: `recv`, `irecv`, `wait`, `barrier`, `iallreduce`. */
  call: string;
  /** A nonblocking call's request, still pending (the rank is not blocked in it). */
  request: boolean;
  /** `world`, or `communicator <context id> (size N)`; undefined for `wait`. */
  communicator: string | undefined;
  /** Point-to-point: the communicator rank received from (-1: ANY_SOURCE), and the tag (-1: ANY_TAG). */
  source: number | undefined;
  tag: number | undefined;
  /** Collectives: the call's number on its communicator, and the algorithm. */
  sequence: number | undefined;
  algorithm: string | undefined;
  /** Collectives: the ranks (of the communicator) whose message it waits for now, and the step. */
  waitingFor: { source: number; step: number }[];
  waitedMs: number;
  /** Where in the program the call was made (only with tsmpirun --get-stack-traces). */
  stack: string | undefined;
}

/**
 * Messages the launcher sends to a rank. `ack` answers `error`, `abort` and `finalize`: a rank about to
 * exit waits for it (briefly) so its report is not lost with the process; zeromq only queues
 * a send, and a process that exits right after may never deliver it.
 */
export type LauncherToRank =
  | { type: "fence"; kvs: Record<string, string> }
  | { type: "ack"; of: "error" | "abort" | "finalize" }
  /** "Say what you are blocked in" (tsmpirun --timeout, SIGUSR1); answered with `state`. */
  | { type: "report-state"; request: number }
  /** Rank `rank` has called finalize (relayed from its `finalizing`). */
  | { type: "peer-finalized"; rank: number };

export function encodeWireupMessage(message: RankToLauncher | LauncherToRank): Buffer {
  return Buffer.from(JSON.stringify(message), "utf8");
}

export function decodeWireupMessage<T extends RankToLauncher | LauncherToRank>(frame: Buffer): T {
  return JSON.parse(frame.toString("utf8")) as T;
}
