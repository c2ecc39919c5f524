import type { ChildProcess, StdioOptions } from "node:child_process";

/** Everything a host backend needs to start one rank. */
export interface RankProcessSpec {
  rank: number;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdio: StdioOptions;
}

/**
 * Where ranks run. Only `local` exists today; ssh and slurm backends implement the same
 * interface (one file each) so the launcher does not change when they arrive.
 */
export interface HostBackend {
  /** The host name printed in failure reports. */
  readonly hostname: string;
  /** Starts a rank as the leader of its own process group. */
  spawnRank(spec: RankProcessSpec): ChildProcess;
  /**
   * Sends `signal` to the whole process group led by `pid` (the rank and anything it started).
   * Returns false if no such group exists any more.
   */
  signalRankGroup(pid: number, signal: NodeJS.Signals): boolean;
}
