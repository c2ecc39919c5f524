import type { ChildProcess } from "node:child_process";
import { ENV, type TransportKind } from "@tsmpi/runtime/internal/wireup";
import type { HostBackend } from "../hosts/host.ts";
import { boundCommand } from "./binding.ts";

export interface RankLaunchSpec {
  rank: number;
  size: number;
  jobId: string;
  jobDir: string;
  rendezvous: string;
  transport: TransportKind;
  bundle: string;
  args: readonly string[];
  cwd: string;
  /** Variables added by the user (`-x`), on top of the launcher's environment. */
  extraEnv: Readonly<Record<string, string>>;
  /** Only rank 0 reads the launcher's input. */
  withStdin: boolean;
  /** The rank's stdout is forwarded to a terminal. */
  stdoutTty: boolean;
  /** The cpu the rank is bound to (all its threads), or undefined to leave it to the scheduler. */
  cpu: number | undefined;
}

/**
 * glibc malloc settings for ranks unless the user's environment has its own. Every large message
 * received lands in fresh malloc'd memory; by default glibc hands memory of a freed 4 MiB payload
 * back to the kernel and the next payload page-faults it in again (half the receiver's time in a
 * 4 MiB stream). Keeping freed memory in the process, as Open MPI's memory hooks do, took that
 * stream from 3-5 to 7.3 GB/s (bench/pingpong). The peak resident size does not grow: memory is
 * only kept, not taken.
 */
const MALLOC_DEFAULTS: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(128 * 1024 * 1024),
};

/**
 * The environment of one rank: the malloc defaults, then the inherited environment, then the
 * user's additions, then the job's TSMPI_* (which win).
 */
export function rankEnvironment(spec: RankLaunchSpec): NodeJS.ProcessEnv {
  return {
    ...MALLOC_DEFAULTS,
    ...process.env,
    ...spec.extraEnv,
    [ENV.rank]: String(spec.rank),
    [ENV.size]: String(spec.size),
    [ENV.jobId]: spec.jobId,
    [ENV.rendezvous]: spec.rendezvous,
    [ENV.transport]: spec.transport,
    [ENV.jobDir]: spec.jobDir,
    ...(spec.stdoutTty ? { [ENV.stdoutTty]: "1" } : {}),
  };
}

/** Starts one rank: plain node on the job's bundle (source maps on, so stacks name the .ts lines). */
export function spawnRank(host: HostBackend, spec: RankLaunchSpec): ChildProcess {
  const { command, args } = boundCommand(process.execPath, ["--enable-source-maps", spec.bundle, ...spec.args], spec.cpu);
  return host.spawnRank({
    rank: spec.rank,
    command,
    args,
    cwd: spec.cwd,
    env: rankEnvironment(spec),
    stdio: [spec.withStdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
}
