import { describeExit, isFailure, shellExitCode, signalNumber, type ExitStatus } from "./procs/exit-status.ts";

/** Why the launcher ended the job early, if it did. */
export type EndReason =
  | { kind: "rank-failed" }
  | { kind: "abort"; rank: number; code: number; reason: string }
  | { kind: "timeout"; seconds: number; running: number[] }
  | { kind: "interrupted"; signal: NodeJS.Signals | undefined }
  | { kind: "wireup-stall"; rank: number }
  | { kind: "exited-without-finalize"; rank: number; hostname: string; pid: number | undefined };

export interface RankOutcome {
  rank: number;
  hostname: string;
  /** Set when the rank ended because its host was lost: why. */
  lostWithHost: string | undefined;
  pid: number | undefined;
  status: ExitStatus;
  endedByLauncher: boolean;
  error: { message: string; stack: string } | undefined;
  /** Last stderr lines, shown only when the rank reported no error itself. */
  stderrTail: string[];
}

export interface JobVerdict {
  exitCode: number;
  failure: string | undefined;
}

/**
 * The exit code and the diagnostic of a finished job. Code precedence: abort() code, timeout
 * (124), interruption (128 + signal), else the lowest rank that failed by itself; ranks the
 * launcher signalled never count.
 */
export function judgeJob(size: number, endReason: EndReason | undefined, ranks: RankOutcome[]): JobVerdict {
  const lines: string[] = [];
  let exitCode: number | undefined;
  switch (endReason?.kind) {
    case "abort":
      lines.push(`tsmpirun: rank ${endReason.rank} called abort(${endReason.code}): ${endReason.reason}`);
      exitCode = endReason.code;
      break;
    case "timeout":
      lines.push(
        `tsmpirun: job timed out after ${endReason.seconds} s; ranks still running: ${endReason.running.join(", ")}`,
      );
      exitCode = 124;
      break;
    case "interrupted":
      lines.push(`tsmpirun: ${endReason.signal ? `received ${endReason.signal}` : "job cancelled"}; ended all ranks`);
      exitCode = 128 + (endReason.signal ? signalNumber(endReason.signal) : 2);
      break;
    case "wireup-stall":
      lines.push(
        `tsmpirun: rank ${endReason.rank} exited before completing init() wire-up; the other ranks would wait for it forever`,
      );
      break;
    case "exited-without-finalize":
      // Open MPI's words; like mpirun, a job ended this way fails with 1 though the rank exited 0.
      lines.push(
        `tsmpirun: rank ${endReason.rank} of ${size} on ${endReason.hostname} (pid ${endReason.pid ?? "none"}) exited without calling finalize while other ranks were still running; ended the job`,
      );
      break;
  }
  const abortingRank = endReason?.kind === "abort" ? endReason.rank : undefined;
  const selfFailed = ranks
    // A lost host's ranks all end with it, though the first of them already ended the job.
    .filter((rank) => (!rank.endedByLauncher || rank.lostWithHost !== undefined) && isFailure(rank.status) && rank.rank !== abortingRank)
    .sort((a, b) => a.rank - b.rank);
  const lost = new Map<string, { ranks: number[]; reason: string }>();
  for (const rank of selfFailed) {
    if (rank.lostWithHost === undefined) lines.push(describeRankFailure(size, rank));
    else {
      const entry = lost.get(rank.hostname) ?? { ranks: [], reason: rank.lostWithHost };
      entry.ranks.push(rank.rank);
      lost.set(rank.hostname, entry);
    }
  }
  for (const [hostname, { ranks: gone, reason }] of lost) {
    lines.push(`tsmpirun: host ${hostname} lost, with rank${gone.length === 1 ? "" : "s"} ${gone.join(", ")} of ${size}: ${reason}`);
  }
  if (exitCode === undefined) {
    const lowest = selfFailed[0];
    if (lowest) exitCode = shellExitCode(lowest.status);
    else if (endReason?.kind === "wireup-stall" || endReason?.kind === "exited-without-finalize") exitCode = 1;
    else exitCode = 0;
  }
  return { exitCode, failure: lines.length > 0 ? lines.join("\n") : undefined };
}

function describeRankFailure(size: number, outcome: RankOutcome): string {
  const who = `tsmpirun: rank ${outcome.rank} of ${size} on ${outcome.hostname}`;
  if (outcome.error) {
    const { message, stack } = outcome.error;
    return `${who} failed: ${stack.includes(message) ? stack : `${message}\n${stack}`}`;
  }
  const line = `${who} (pid ${outcome.pid ?? "none"}) ${describeExit(outcome.status)}`;
  if (outcome.stderrTail.length === 0) return line;
  return `${line}; last lines of its stderr:\n${outcome.stderrTail.map((text) => `    ${text}`).join("\n")}`;
}
