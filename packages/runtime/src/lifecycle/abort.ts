import { badArgument } from "../errors.ts";
import type { Engine } from "../engine/engine.ts";
import { runtimeState } from "./state.ts";

/** How long a dying rank waits for its last report to leave before it exits anyway. */
export const REPORT_TIMEOUT_MS = 1_000;

/**
 * Exits the process once the launcher has acknowledged `report`, or after a short timeout; if the
 * report did not get through, `unreported` runs first (to say on stderr what the report said).
 */
export function exitAfter(report: Promise<void> | undefined, code: number, unreported?: () => void): Promise<never> {
  const exit = (): never => process.exit(code);
  const fallBack = (): never => {
    unreported?.();
    return exit();
  };
  const timer = setTimeout(fallBack, REPORT_TIMEOUT_MS);
  void Promise.resolve(report).then(exit, fallBack).finally(() => clearTimeout(timer));
  return new Promise<never>(() => {});
}

/**
 * MPI_Abort: ends every rank and exits with `code`. tsmpirun ends the job and prints why; under
 * Slurm the rank prints it and asks Slurm to end the step; with nobody to ask (rank 0's rendezvous
 * on Kubernetes, a singleton), the rank prints it and exits, and what started it ends the rest.
 */
export function abortJob(engine: Engine, rank: number, code: number, reason: string): Promise<never> {
  if (!Number.isInteger(code) || code < 0 || code > 255) {
    throw badArgument({ rank, call: "abort" }, "code", code, "an integer exit code 0..255");
  }
  engine.markAborted();
  const link = runtimeState()?.link;
  if (link?.launcherReports !== true) process.stderr.write(`tsmpi: rank ${rank} called abort(${code})${reason ? `: ${reason}` : ""}\n`);
  return exitAfter(link?.reportAbort(code, reason), code);
}
