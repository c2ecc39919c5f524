import { runAsRank } from "../as-rank.ts";
import { emitKubernetesManifests } from "../k8s/emit.ts";
import { launch } from "../launch.ts";
import { parseCommandLine, USAGE_EXIT_CODE } from "./options.ts";

// `tsmpirun ... | head`: the reader leaving is not a failure of the job; the ranks keep running.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

const commandLine = await parseCommandLine(process.argv.slice(2));
switch (commandLine.action) {
  case "print":
    process.stdout.write(`${commandLine.text}\n`);
    break;
  case "usage-error":
    process.stderr.write(`tsmpirun: ${commandLine.message}\nTry 'tsmpirun --help' for usage.\n`);
    process.exitCode = USAGE_EXIT_CODE;
    break;
  case "run":
    process.exitCode = await run(commandLine);
    break;
  case "as-rank":
    process.exitCode = await runAsRank(commandLine.program, commandLine.args);
    break;
  case "emit-k8s": {
    const emitted = await emitKubernetesManifests(commandLine.options);
    if (emitted.ok) process.stdout.write(emitted.text);
    else process.stderr.write(`tsmpirun: ${emitted.message}\n`);
    // Like a launch whose program is missing: 1 (bad command lines stopped at 2 above).
    process.exitCode = emitted.ok ? 0 : 1;
    break;
  }
}

async function run({ options }: Extract<typeof commandLine, { action: "run" }>): Promise<number> {
  // Ranks run in their own process groups, so a terminal's Ctrl-C reaches only us: end the job in order.
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => cancel.abort(signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  // SIGUSR1: print what every rank is blocked in, and go on (the ranks themselves get no signal).
  const stateRequests = new EventTarget();
  process.on("SIGUSR1", () => stateRequests.dispatchEvent(new Event("report")));
  try {
    const result = await launch({
      ...options,
      stateRequests,
      forwardOutput: true,
      captureOutput: false,
      stdin: process.stdin,
      signal: cancel.signal,
    });
    if (result.trace !== undefined) process.stderr.write(`${describeTrace(result.trace)}\n`);
    if (result.failure) process.stderr.write(`${result.failure}\n`);
    return result.exitCode;
  } catch (error) {
    process.stderr.write(`tsmpirun: ${(error as Error).message}\nTry 'tsmpirun --help' for usage.\n`);
    return USAGE_EXIT_CODE;
  } finally {
    // An open stdin (a terminal, or a pipe whose writer is still there) must not keep us alive.
    process.stdin.destroy();
  }
}

/** The line --trace ends with: where the trace went, or why it could not be written. */
function describeTrace(trace: NonNullable<Awaited<ReturnType<typeof launch>>["trace"]>): string {
  if (trace.error !== undefined) return `tsmpirun: could not write the trace to ${trace.file}: ${trace.error}`;
  const missing = trace.ranksWithoutTrace.length === 0 ? "" : ` (no trace from rank${trace.ranksWithoutTrace.length > 1 ? "s" : ""} ${trace.ranksWithoutTrace.join(", ")})`;
  return `tsmpirun: trace written to ${trace.file} (${trace.events} events)${missing}`;
}
