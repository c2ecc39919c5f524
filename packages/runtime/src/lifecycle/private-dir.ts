/**
 * The directory a rank's Unix socket lives in when no launcher made one for the job (ranks started
 * by srun or on Kubernetes): mkdtemp makes it mode 0700, so no other user can connect to the socket
 * (the ipc side of a rank is not encrypted). Removed at finalize, at exit, and on a terminating
 * signal that nobody else handles; a SIGKILL (Slurm's way of ending a step) leaves it behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/** A private directory of this process; `remove()` is safe to call more than once. */
export interface PrivateDir {
  readonly path: string;
  remove(): void;
}

/** Makes the directory (short: a Unix socket path holds ~107 bytes) and arranges its removal. */
export function createPrivateDir(): PrivateDir {
  const path = mkdtempSync(join(tmpdir(), "tsmpi-"));
  const removeNow = (): void => rmSync(path, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals): void => {
    // A program that handles the signal itself decides whether the process ends (and the 'exit'
    // listener cleans up if it does); without one, remove the directory and die of the signal.
    if (process.listenerCount(signal) > 1) return;
    remove();
    process.kill(process.pid, signal);
  };
  const remove = (): void => {
    process.removeListener("exit", removeNow);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    removeNow();
  };
  process.on("exit", removeNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return { path, remove };
}
