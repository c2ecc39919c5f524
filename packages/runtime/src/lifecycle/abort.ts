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

/** MPI_Abort: the launcher ends every rank and exits with `code`. */
export function abortJob(engine: Engine, rank: number, code: number, reason: string): Promise<never> {
  if (!Number.isInteger(code) || code < 0 || code > 255) {
    throw badArgument({ rank, call: "abort" }, "code", code, "an integer exit code 0..255");
  }
  engine.markAborted();
  const client = runtimeState()?.client;
  if (client === undefined) {
    process.stderr.write(`tsmpi: rank ${rank} called abort(${code})${reason ? `: ${reason}` : ""}\n`);
    return exitAfter(undefined, code);
  }
  return exitAfter(client.report({ type: "abort", rank: engine.worldRank, code, reason }), code);
}
