/**
 * An uncaught exception or unhandled rejection in a rank ends the rank with exit code 1, and the
 * launcher is told why, so it can report `rank 3 of 4 on host: <stack>` and end the job
 * (mpi4py.futures `_format_exc` formats failed tasks the same way). Without tsmpirun the rank prints
 * that line itself, and under Slurm asks it to end the step (lifecycle/job-link.ts).
 */
import { inspect } from "node:util";
import { exitAfter } from "./abort.ts";
import { runtimeState } from "./state.ts";

let installed = false;
let failing = false;

export function installFaultReporting(): void {
  if (installed) return;
  installed = true;
  process.on("uncaughtException", (error) => void fail(error));
  process.on("unhandledRejection", (reason) => void fail(reason));
}

function fail(error: unknown): Promise<never> | undefined {
  if (failing) return undefined;
  failing = true;
  const state = runtimeState();
  const stack = error instanceof Error ? (error.stack ?? String(error)) : `non-error thrown: ${inspect(error)}`;
  const message = error instanceof Error ? error.message : inspect(error);
  if (state === undefined) {
    process.stderr.write(`${stack}\n`);
    return exitAfter(undefined, 1);
  }
  const { engine, link, host } = state;
  engine.markAborted();
  const printHere = (): void => void process.stderr.write(`rank ${engine.worldRank} of ${engine.worldSize} on ${host}: ${stack}\n`);
  // Without a launcher to print it, the rank does, before it ends the job (Slurm kills it soon after).
  if (link?.launcherReports !== true) printHere();
  const report = link?.reportError({ message, stack });
  return exitAfter(report, 1, link?.launcherReports === true ? printHere : undefined);
}
