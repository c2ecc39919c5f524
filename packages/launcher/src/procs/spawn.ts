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

/** The environment of one rank: inherited, then the user's additions, then the job's TSMPI_* (which win). */
export function rankEnvironment(spec: RankLaunchSpec): NodeJS.ProcessEnv {
  return {
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
