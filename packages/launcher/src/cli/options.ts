import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import yargs from "yargs";
import { BIND_TO, MAP_BY } from "../procs/binding.ts";
import type { LaunchOptions, TransportKind } from "../types.ts";

/** What the command line asks for. */
export type CommandLine =
  | { action: "run"; options: LaunchOptions }
  | { action: "print"; text: string }
  | { action: "usage-error"; message: string };

/** Exit code for a malformed command line (the getopt/argparse convention), documented in --help. */
export const USAGE_EXIT_CODE = 2;

const EPILOGUE = `Everything after PROGRAM is passed to every rank: tsmpirun -n 2 prog.ts --nx 10

Exit status:
  0        every rank exited with 0
  N        the code of the lowest rank that failed by itself (128+n if killed by signal n),
           or the code a rank passed to abort()
  1        the program could not be found or bundled, or a rank left wire-up unfinished
  2        bad command line
  124      --timeout expired
  130/143  tsmpirun received SIGINT/SIGTERM

Environment:
  TSMPI_SHM=0                   ranks on one host send everything through their sockets (no
                                shared-memory rings or shared-memory collectives)
  TSMPI_COLL_<NAME>=ALGORITHM   force a collective's algorithm, e.g. TSMPI_COLL_ALLREDUCE=ring
  TSMPIRUN_CACHE=0              bundle the program anew every time (TSMPIRUN_CACHE_DIR: where)
  TSMPIRUN_TRACE=1              print the launcher's phases with their times
  Ranks also get GLIBC_TUNABLES (malloc keeps freed memory; non-temporal memcpy from 1 MiB) and
  MSGPACKR_NATIVE_ACCELERATION_DISABLED=true, unless the environment sets them.`;

export function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

function buildParser(argv: string[]) {
  return yargs(argv)
    .scriptName("tsmpirun")
    .usage("Usage: tsmpirun [options] PROGRAM [ARGS...]\n\nStarts N ranks of a TypeScript/JavaScript program (bundled once with esbuild).")
    .parserConfiguration({ "halt-at-non-option": true, "populate--": false, "camel-case-expansion": false })
    // yargs' own --help/--version would print and exit by themselves; ours return text to main.
    .help(false)
    .version(false)
    .option("np", { alias: "n", type: "number", description: "number of ranks", default: availableParallelism(), defaultDescription: "available CPUs" })
    .option("x", { type: "string", description: "-x VAR[=value]: set VAR for every rank (alone: copy it from this environment); repeatable", requiresArg: true })
    .option("timeout", { type: "number", description: "end the job after SECONDS (exit code 124)", requiresArg: true })
    .option("transport", { choices: ["ipc", "tcp"] as const, default: "ipc" as TransportKind, description: "how ranks reach each other" })
    .option("bind-to", {
      choices: BIND_TO,
      default: "none" as const,
      description: "core: confine each rank (all its threads) to one cpu (see --map-by)",
    })
    .option("map-by", {
      choices: MAP_BY,
      default: "core" as const,
      description: "core: rank r on cpu r mod cpus; slot: consecutive ranks fill each cpu in turn",
    })
    .option("report-bindings", { type: "boolean", default: false, description: "print the cpu each rank is bound to" })
    .option("tag-output", { type: "boolean", default: false, description: "prefix each output line with [rank]" })
    .option("timestamp-output", { type: "boolean", default: false, description: "prefix each output line with an ISO timestamp" })
    .option("output-dir", { type: "string", description: "write DIR/rank.R/stdout and DIR/rank.R/stderr instead of forwarding", requiresArg: true })
    .option("help", { alias: "h", type: "boolean", description: "show this help" })
    .option("version", { alias: "v", type: "boolean", description: "show the version" })
    .strictOptions()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .epilogue(EPILOGUE)
    .wrap(Math.min(100, process.stdout.columns ?? 100));
}

class UsageError extends Error {}

/** Parses `tsmpirun`'s arguments (without node and the script path). Never exits the process. */
export async function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandLine> {
  const parser = buildParser(argv);
  let parsed;
  try {
    parsed = await parser.parseAsync();
  } catch (error) {
    return { action: "usage-error", message: (error as Error).message };
  }
  if (parsed.help) return { action: "print", text: await parser.getHelp() };
  if (parsed.version) return { action: "print", text: readVersion() };

  const [program, ...args] = parsed._.map(String);
  if (program === undefined) return { action: "usage-error", message: "missing PROGRAM to run" };
  const np = parsed.np;
  if (!Number.isInteger(np) || np < 1) {
    return { action: "usage-error", message: `-n/--np must be a positive integer, got ${argv[argv.findIndex((a) => a === "-n" || a === "--np") + 1] ?? String(np)}` };
  }
  if (parsed.timeout !== undefined && !(parsed.timeout > 0)) {
    return { action: "usage-error", message: `--timeout must be a positive number of seconds, got ${String(parsed.timeout)}` };
  }
  const exported = exportedVariables(parsed.x, env);
  if (typeof exported === "string") return { action: "usage-error", message: exported };

  return {
    action: "run",
    options: {
      np,
      program,
      args,
      env: exported,
      transport: parsed.transport,
      mapBy: parsed["map-by"],
      reportBindings: parsed["report-bindings"],
      bindTo: parsed["bind-to"],
      tagOutput: parsed["tag-output"],
      timestampOutput: parsed["timestamp-output"],
      ...(parsed.timeout !== undefined ? { timeout: parsed.timeout } : {}),
      ...(parsed["output-dir"] !== undefined ? { outputDir: parsed["output-dir"] } : {}),
    },
  };
}

/** `-x VAR=value` sets, `-x VAR` copies from tsmpirun's environment (like mpirun -x). Returns an error message on misuse. */
function exportedVariables(x: string | string[] | undefined, env: NodeJS.ProcessEnv): Record<string, string> | string {
  const entries = x === undefined ? [] : Array.isArray(x) ? x : [x];
  const exported: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf("=");
    const name = equals === -1 ? entry : entry.slice(0, equals);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `-x: "${entry}" is not VAR or VAR=value`;
    if (equals !== -1) exported[name] = entry.slice(equals + 1);
    else if (env[name] !== undefined) exported[name] = env[name];
  }
  return exported;
}
