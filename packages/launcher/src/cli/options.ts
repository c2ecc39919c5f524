import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { EmitKubernetesOptions } from "../k8s/emit.ts";
import { MAX_RANKS } from "../k8s/manifests.ts";
import { jobNameProblem } from "../k8s/names.ts";
import { BIND_TO, MAP_BY } from "../procs/binding.ts";
import type { LaunchOptions } from "../types.ts";

/** What the command line asks for. */
export type CommandLine =
  | { action: "run"; options: LaunchOptions }
  | { action: "emit-k8s"; options: EmitKubernetesOptions }
  | { action: "as-rank"; program: string; args: string[] }
  | { action: "print"; text: string }
  | { action: "usage-error"; message: string };

/** Exit code for a malformed command line (the getopt/argparse convention), documented in --help. */
export const USAGE_EXIT_CODE = 2;

const TRANSPORTS = ["ipc", "tcp"] as const;
const AUTH = ["curve", "none"] as const;
const EMIT_FORMATS = ["k8s"] as const;
/** Default TCP port of the rendezvous that rank 0 serves in an emitted Kubernetes job. */
export const DEFAULT_K8S_PORT = 7777;

/**
 * node:util's parseArgs rather than a CLI framework: it is built in, so a launch loads no parser
 * modules, and tsmpirun's grammar (options, then PROGRAM, then the program's own arguments) needs
 * only the split point found by `splitAtProgram`.
 */
const OPTIONS = {
  np: { type: "string", short: "n" },
  export: { type: "string", short: "x", multiple: true },
  timeout: { type: "string" },
  "get-stack-traces": { type: "boolean" },
  trace: { type: "string" },
  transport: { type: "string" },
  "bind-to": { type: "string" },
  "map-by": { type: "string" },
  "report-bindings": { type: "boolean" },
  "tag-output": { type: "boolean" },
  "timestamp-output": { type: "boolean" },
  "output-dir": { type: "string" },
  host: { type: "string", short: "H" },
  hostfile: { type: "string" },
  oversubscribe: { type: "boolean" },
  "ssh-command": { type: "string" },
  auth: { type: "string" },
  iface: { type: "string" },
  emit: { type: "string" },
  name: { type: "string" },
  image: { type: "string" },
  port: { type: "string" },
  "as-rank": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** Options that only --emit k8s reads. */
const EMIT_ONLY = ["name", "image", "port"] as const;
/**
 * Options of a local launch that an emitted job would silently drop: the launcher's output handling
 * has no counterpart in pods, which log on their own, and -x would copy this shell's variables into
 * the manifest.
 */
const LAUNCH_ONLY = [
  "export",
  "timeout",
  "get-stack-traces",
  "trace",
  "transport",
  "bind-to",
  "map-by",
  "report-bindings",
  "tag-output",
  "timestamp-output",
  "output-dir",
  "host",
  "hostfile",
  "oversubscribe",
  "ssh-command",
  "auth",
  "iface",
] as const;

const HELP = `Usage: tsmpirun [options] PROGRAM [ARGS...]
       tsmpirun --as-rank PROGRAM [ARGS...]

Starts N ranks of a TypeScript/JavaScript program (bundled once with esbuild).

Options:
  -n, --np N                 number of ranks (default: the hosts' slots; in a Slurm allocation
                             SLURM_NTASKS; else the available CPUs, ${availableParallelism()} here)
  -x VAR[=value]             set VAR for every rank (alone: copy it from this environment); repeatable
      --timeout SECONDS      end the job after SECONDS (exit code 124), first printing what
                             every rank is blocked in: call, communicator, source, tag,
                             collective number, time waited, pending requests
      --get-stack-traces     with the state report: where in the program each call was made
                             (ranks record a stack per call: slower, for debugging hangs)
      --trace FILE           write a communication trace to FILE (Chrome/Perfetto JSON: open it
                             in ui.perfetto.dev): a track per rank, a slice per call, an arrow
                             from each send to its receive; also for a job that fails
      --transport ipc|tcp    how ranks reach each other (default ipc)
      --bind-to core|none    core: confine each rank (all its threads) to one cpu (default none)
      --map-by core|slot|node
                             across hosts: core and slot fill each host's slots in turn, node
                             deals ranks round robin; within a host: core puts rank r on cpu
                             r mod cpus, slot fills each cpu in turn (default core)
      --report-bindings      print the cpu each rank is bound to
  -H, --host n1:2,n2         run on these hosts (":N" slots, none = 1); others than this one are
                             reached with ssh, and a tsmpi agent starts their ranks
      --hostfile FILE        hosts from FILE, one per line: "n1 slots=4", "n1:4" or "n1"; # comments
                             (inside a Slurm allocation the allocation's hosts are the default,
                             reached with srun)
      --oversubscribe        allow more ranks than slots (otherwise refused, exit code 2)
      --ssh-command CMD      how to reach other hosts (default "ssh -o BatchMode=yes
                             -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3")
      --auth curve|none      across hosts, curve (default) encrypts every connection of the job
                             and admits only its own processes; none for trusted networks
      --iface NAME|CIDR      across hosts, the interface ranks listen on (default: the one on
                             the route to tsmpirun)
      --tag-output           prefix each output line with [rank]
      --timestamp-output     prefix each output line with an ISO timestamp
      --output-dir DIR       write DIR/rank.R/stdout and DIR/rank.R/stderr instead of forwarding
      --emit k8s             print Kubernetes manifests that run the job, instead of running it
      --name NAME            with --emit: the Job's name, a DNS label of at most 52 characters
      --image IMAGE          with --emit: the ranks' image, holding the project at this same path
      --port P               with --emit: the TCP port rank 0 serves the rendezvous on (default ${DEFAULT_K8S_PORT})
      --as-rank              run one rank of PROGRAM in this process's place, for a job that
                             something else starts: srun --mpi=pmi2 (PMI-2 wire-up), or the
                             Kubernetes Job of --emit k8s (rank 0 serves the rendezvous)
  -h, --help                 show this help
  -v, --version              show the version

Everything after PROGRAM is passed to every rank: tsmpirun -n 2 prog.ts --nx 10
Kubernetes: tsmpirun --emit k8s --name heat -n 4 --image IMAGE prog.ts | kubectl apply -f -
Slurm without tsmpirun: srun --mpi=pmi2 -n 6 npx tsmpirun --as-rank prog.ts

Exit status:
  0        every rank exited with 0
  N        the code of the lowest rank that failed by itself (128+n if killed by signal n),
           or the code a rank passed to abort()
  1        the program could not be found or bundled, or a rank left wire-up unfinished
  2        bad command line
  124      --timeout expired
  130/143  tsmpirun received SIGINT/SIGTERM

Signals:
  SIGUSR1  print the state report (what every rank is blocked in) to stderr; the job goes on

Environment:
  TSMPI_SHM=0                   ranks on one host send everything through their sockets (no
                                shared-memory rings or shared-memory collectives)
  TSMPI_COLL_<NAME>=ALGORITHM   force a collective's algorithm, e.g. TSMPI_COLL_ALLREDUCE=ring
  TSMPIRUN_CACHE=0              bundle the program anew every time (TSMPIRUN_CACHE_DIR: where)
  TSMPIRUN_TRACE=1              print the launcher's phases with their times
  Ranks also get GLIBC_TUNABLES (malloc keeps freed memory; non-temporal memcpy from 1 MiB) and
  MSGPACKR_NATIVE_ACCELERATION_DISABLED=true, unless the environment sets them.`;

/** The launcher package's version, from its package.json (two levels above this file in src/ and dist/). */
export function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

/**
 * Splits `argv` into tsmpirun's own options and PROGRAM with its arguments: PROGRAM is the first
 * argument that is neither an option nor an option's value (or the one after `--`). Values are
 * joined to their option (`--timeout=-1`), so parseArgs takes a value that starts with a dash.
 */
function splitAtProgram(argv: readonly string[]): { ours: string[]; theirs: string[] } {
  const takesValue = new Map<string, string>();
  for (const [name, option] of Object.entries(OPTIONS)) {
    if (option.type !== "string") continue;
    takesValue.set(`--${name}`, `--${name}`);
    if ("short" in option) takesValue.set(`-${option.short}`, `--${name}`);
  }
  const ours: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    if (argument === "--") return { ours, theirs: argv.slice(i + 1) };
    if (!argument.startsWith("-") || argument === "-") return { ours, theirs: argv.slice(i) };
    const long = takesValue.get(argument);
    if (long !== undefined && i + 1 < argv.length) ours.push(`${long}=${argv[++i]}`);
    else ours.push(argument);
  }
  return { ours, theirs: [] };
}

function oneOf<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T | string {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  return `--${name} must be one of ${choices.join(", ")}, got ${value}`;
}

/** Parses `tsmpirun`'s arguments (without node and the script path). Never exits the process. */
export async function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandLine> {
  const { ours, theirs } = splitAtProgram(argv);
  let values: Values;
  try {
    values = parseOurs(ours);
  } catch (error) {
    return { action: "usage-error", message: usageMessage(error as Error) };
  }
  if (values.help) return { action: "print", text: HELP };
  if (values.version) return { action: "print", text: readVersion() };

  const [program, ...args] = theirs;
  if (program === undefined) return { action: "usage-error", message: "missing PROGRAM to run" };
  if (values["as-rank"] === true) {
    // The job is whatever started this process; options of a launch or an emit would be ignored.
    const other = (Object.keys(values) as (keyof typeof OPTIONS)[]).find((name) => name !== "as-rank" && values[name] !== undefined);
    if (other !== undefined) return { action: "usage-error", message: `--as-rank takes no other option (got ${flagName(other)}): it runs one rank of a job started by srun or Kubernetes` };
    return { action: "as-rank", program, args };
  }
  if (values.emit !== undefined) return emitCommandLine(values, program, args);
  const emitOnly = EMIT_ONLY.find((name) => values[name] !== undefined);
  if (emitOnly !== undefined) return { action: "usage-error", message: `--${emitOnly} needs --emit k8s` };
  const np = values.np === undefined ? undefined : Number(values.np);
  if (np !== undefined && (!Number.isInteger(np) || np < 1 || values.np?.trim() === "")) {
    return { action: "usage-error", message: `-n/--np must be a positive integer, got ${values.np}` };
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    return { action: "usage-error", message: `--timeout must be a positive number of seconds, got ${values.timeout}` };
  }
  const transport = oneOf("transport", values.transport, TRANSPORTS, "ipc");
  const bindTo = oneOf("bind-to", values["bind-to"], BIND_TO, "none");
  const mapBy = oneOf("map-by", values["map-by"], MAP_BY, "core");
  const auth = oneOf("auth", values.auth, AUTH, "curve");
  if (values.host !== undefined && values.hostfile !== undefined) return { action: "usage-error", message: "give --host or --hostfile, not both" };
  for (const choice of [transport, bindTo, mapBy, auth]) {
    if (choice.startsWith("--")) return { action: "usage-error", message: choice };
  }
  const exported = exportedVariables(values.export, env);
  if (typeof exported === "string") return { action: "usage-error", message: exported };

  return {
    action: "run",
    options: {
      ...(np !== undefined ? { np } : {}),
      program,
      args,
      env: exported,
      transport: transport as (typeof TRANSPORTS)[number],
      mapBy: mapBy as (typeof MAP_BY)[number],
      bindTo: bindTo as (typeof BIND_TO)[number],
      reportBindings: values["report-bindings"] ?? false,
      tagOutput: values["tag-output"] ?? false,
      timestampOutput: values["timestamp-output"] ?? false,
      ...(timeout !== undefined ? { timeout } : {}),
      ...(values["get-stack-traces"] === true ? { getStackTraces: true } : {}),
      ...(values.trace !== undefined ? { trace: values.trace } : {}),
      ...(values["output-dir"] !== undefined ? { outputDir: values["output-dir"] } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values.hostfile !== undefined ? { hostfile: values.hostfile } : {}),
      ...(values["ssh-command"] !== undefined ? { sshCommand: values["ssh-command"] } : {}),
      ...(values.iface !== undefined ? { iface: values.iface } : {}),
      oversubscribe: values.oversubscribe ?? false,
      auth: auth as (typeof AUTH)[number],
    },
  };
}

/** parseArgs over tsmpirun's own options; a function so that its result type can be named. */
function parseOurs(ours: string[]) {
  return parseArgs({ args: ours, options: OPTIONS, strict: true, allowPositionals: false }).values;
}

type Values = ReturnType<typeof parseOurs>;

/**
 * `--emit k8s`: -n is required (this host's cpu count says nothing about a cluster), and so are
 * --name and --image; options of a local launch are refused rather than dropped.
 */
function emitCommandLine(values: Values, program: string, args: string[]): CommandLine {
  const usageError = (message: string): CommandLine => ({ action: "usage-error", message });
  const format = oneOf("emit", values.emit, EMIT_FORMATS, "k8s");
  if (format.startsWith("--")) return usageError(format);
  const launchOnly = LAUNCH_ONLY.find((name) => values[name] !== undefined);
  if (launchOnly !== undefined) return usageError(`${flagName(launchOnly)} does not apply to --emit k8s`);
  if (values.np === undefined) return usageError("--emit k8s needs -n N (the number of ranks)");
  const np = Number(values.np);
  if (!Number.isInteger(np) || np < 1 || values.np.trim() === "") {
    return usageError(`-n/--np must be a positive integer, got ${values.np}`);
  }
  if (np > MAX_RANKS) return usageError(`-n/--np can be at most ${MAX_RANKS} with --emit k8s (an Indexed Job's limit), got ${np}`);
  const name = values.name;
  if (name === undefined || name === "") return usageError("--emit k8s needs --name NAME (the Job's name, prefix of the pods' hostnames)");
  const nameProblem = jobNameProblem(name);
  if (nameProblem !== undefined) return usageError(nameProblem);
  const image = values.image;
  if (image === undefined || image.trim() === "") return usageError("--emit k8s needs --image IMAGE (the container image of the ranks)");
  if (/\s/.test(image)) return usageError(`--image must not contain white space, got "${image}"`);
  const port = values.port === undefined ? DEFAULT_K8S_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || values.port?.trim() === "") {
    return usageError(`--port must be an integer from 1 to 65535, got ${values.port}`);
  }
  return {
    action: "emit-k8s",
    options: { name, np, image, port, program, args, version: readVersion() },
  };
}

/** An option as --help shows it: `-x`, not `--export`. */
function flagName(name: keyof typeof OPTIONS): string {
  return name === "export" ? "-x" : `--${name}`;
}

/** parseArgs' messages, in the launcher's words ("unknown option --bogus"). */
function usageMessage(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const option = /'(-[^' ,]+)/.exec(error.message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option !== undefined) return `unknown option ${option}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined) return `option ${option} needs a value`;
  return error.message;
}

/** `-x VAR=value` sets, `-x VAR` copies from tsmpirun's environment (like mpirun -x). Returns an error message on misuse. */
function exportedVariables(entries: readonly string[] | undefined, env: NodeJS.ProcessEnv): Record<string, string> | string {
  const exported: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const equals = entry.indexOf("=");
    const name = equals === -1 ? entry : entry.slice(0, equals);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `-x: "${entry}" is not VAR or VAR=value`;
    if (equals !== -1) exported[name] = entry.slice(equals + 1);
    else if (env[name] !== undefined) exported[name] = env[name];
  }
  return exported;
}
