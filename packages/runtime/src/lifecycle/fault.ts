/**
 * An uncaught exception or unhandled rejection in a rank ends the rank with exit code 1, and the
 * launcher is told why, so it can report `rank 3 of 4 on host: <stack>` and end the job
 * (mpi4py.futures `_format_exc` formats failed tasks the same way).
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
  const { engine, client, host } = state;
  engine.markAborted();
  const printHere = (): void => void process.stderr.write(`rank ${engine.worldRank} of ${engine.worldSize} on ${host}: ${stack}\n`);
  if (client === undefined) {
    printHere();
    return exitAfter(undefined, 1);
  }
  return exitAfter(client.report({ type: "error", rank: engine.worldRank, message, stack }), 1, printHere);
}
