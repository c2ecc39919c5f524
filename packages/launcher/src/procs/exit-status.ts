import { constants } from "node:os";

/** How a process ended, as Node reports it. */
export interface ExitStatus {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** The shell convention: a code as is, 128 + the signal number for a signal. */
export function shellExitCode(status: ExitStatus): number {
  if (status.signal !== null) return 128 + signalNumber(status.signal);
  return status.exitCode ?? 1;
}

export function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

export function isFailure(status: ExitStatus): boolean {
  return status.signal !== null || status.exitCode !== 0;
}

/** "exited with code 3" / "was killed by signal SIGKILL". */
export function describeExit(status: ExitStatus): string {
  if (status.signal !== null) return `was killed by signal ${status.signal}`;
  return `exited with code ${status.exitCode ?? "unknown"}`;
}
