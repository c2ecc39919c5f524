/**
 * Between tsmpirun and the agent it starts on each host of a job (over ssh, srun, or directly on
 * its own host). The agent's stdin carries one JSON line with the job, then control lines; EOF
 * means the launcher is gone. The agent's stdout carries records, one per line, each starting
 * with RECORD_MARK; any other line (a login banner, a shell's complaint) is not ours and is shown
 * as the host's own output.
 */

import type { BindTo } from "../procs/binding.ts";

/** What an agent runs: this host's ranks of one job. */
export interface AgentJob {
  /** The host's name as the launcher knows it (for messages). */
  host: string;
  jobId: string;
  size: number;
  /** World ranks this host runs. */
  ranks: number[];
  /** How to place them on this host's cpus (procs/binding.ts). */
  placement: { bindTo: BindTo | undefined; mapBy: "core" | "slot" | undefined };
  rendezvousPort: number;
  /**
   * The launcher's address for this host's ranks; when absent the agent takes the address its
   * ssh or srun connection came from (SSH_CONNECTION, SLURM_LAUNCH_NODE_IPADDR).
   */
  rendezvousAddress: string | undefined;
  /** `--iface`: an interface name or CIDR whose address ranks bind; else the route to the launcher. */
  iface: string | undefined;
  /** The job's CURVE key pair file content; absent with `--auth none`. */
  key: string | undefined;
  transport: "ipc" | "tcp";
  cwd: string;
  /** Paths that must exist on this host (the project, its dependencies). */
  requiredPaths: string[];
  bundle: string;
  args: string[];
  /** `-x` variables. */
  env: Record<string, string>;
  /** Rank 0 is here and reads the launcher's stdin (sent as `stdin` control lines). */
  stdinRank: number | undefined;
  stdoutTty: boolean;
  killGraceMs: number;
  /** The agent ends its ranks when no control line arrived for this long. */
  heartbeatTimeoutMs: number;
}

/** Launcher -> agent, after the job line. */
export type AgentControl =
  | { t: "ping" }
  | { t: "stdin"; data: string }
  | { t: "stdin-end" }
  /**
   * Stop / go on reading a rank's stdout (fd 1) or stderr (fd 2): the launcher holds that rank's
   * output back (its reader is slow, or another rank's long line is being forwarded), and the
   * other ranks of the host must not wait with it.
   */
  | { t: "pause"; rank: number; fd: 1 | 2 }
  | { t: "resume"; rank: number; fd: 1 | 2 }
  /** End every rank now (SIGTERM, SIGKILL after the grace period). */
  | { t: "end" };

/** Agent -> launcher. `data` is base64: output is bytes, not necessarily UTF-8. */
export type AgentRecord =
  | { t: "hello"; hostname: string; launcherAddress: string | undefined }
  | { t: "started"; rank: number; pid: number }
  | { t: "output"; rank: number; fd: 1 | 2; data: string }
  | { t: "exit"; rank: number; code: number | null; signal: NodeJS.Signals | null }
  /** The agent cannot run the job here (a missing path, a bad key); it exits after this. */
  | { t: "failed"; message: string };

export const RECORD_MARK = "@tsmpi-agent ";

/** Launcher pings agents this often; agents give up after AgentJob.heartbeatTimeoutMs. */
export const HEARTBEAT_INTERVAL_MS = 1_000;

export function encodeLine(message: AgentJob | AgentControl): string {
  return `${JSON.stringify(message)}\n`;
}

export function encodeRecord(record: AgentRecord): string {
  return `${RECORD_MARK}${JSON.stringify(record)}\n`;
}

/** The record in a line of agent output, or undefined if the line is not one. */
export function decodeRecord(line: string): AgentRecord | undefined {
  if (!line.startsWith(RECORD_MARK)) return undefined;
  try {
    return JSON.parse(line.slice(RECORD_MARK.length)) as AgentRecord;
  } catch {
    return undefined;
  }
}
