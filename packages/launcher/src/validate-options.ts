import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseHostfile, parseHostList, type HostSlots } from "./hosts/host-list.ts";
import { slurmAllocation, type SlurmAllocation } from "./hosts/slurm-allocation.ts";
import { BIND_TO, MAP_BY, type BindTo, type MapBy } from "./procs/binding.ts";
import type { LaunchOptions, TransportKind } from "./types.ts";

/** LaunchOptions with defaults filled in and every value checked. */
export interface ResolvedLaunchOptions {
  np: number;
  /** The hosts asked for, or undefined: this host only, as many ranks as asked. */
  hosts: HostSlots[] | undefined;
  /** Set when the hosts are a Slurm allocation's (agents are started with srun). */
  slurm: SlurmAllocation | undefined;
  oversubscribe: boolean;
  sshCommand: string | undefined;
  auth: "curve" | "none";
  iface: string | undefined;
  program: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  timeoutSeconds: number | undefined;
  transport: TransportKind;
  /** undefined: the default rule of placeRanks (bind when not oversubscribed). */
  bindTo: BindTo | undefined;
  mapBy: MapBy | undefined;
  reportBindings: boolean;
  cwd: string;
  tagOutput: boolean;
  timestampOutput: boolean;
  outputDir: string | undefined;
  forwardOutput: boolean;
  captureOutput: boolean;
  stdin: LaunchOptions["stdin"];
  killGraceMs: number;
  signal: AbortSignal | undefined;
  /** Emits `report`: print the state report (see LaunchOptions.stateRequests). */
  stateRequests: EventTarget | undefined;
  /** `trace`, absolute; undefined: no trace. */
  traceFile: string | undefined;
}

export const DEFAULT_KILL_GRACE_MS = 2000;

/** Misuse of launch() is the one case where it rejects (with a TypeError or RangeError). */
export function validateLaunchOptions(options: LaunchOptions): ResolvedLaunchOptions {
  if (typeof options !== "object" || options === null) throw new TypeError("launch(options): options must be an object");
  const { program, timeout, transport = "ipc", killGraceMs = DEFAULT_KILL_GRACE_MS, auth = "curve" } = options;
  if (options.host !== undefined && options.hostfile !== undefined) {
    throw new RangeError("launch(host, hostfile): give the hosts one way, not both");
  }
  const slurm = options.host === undefined && options.hostfile === undefined ? slurmAllocation() : undefined;
  const hosts =
    options.host !== undefined ? parseHostList(options.host) : options.hostfile !== undefined ? parseHostfile(options.hostfile) : slurm?.hosts;
  const np = options.np ?? slurm?.ntasks ?? (hosts === undefined ? availableParallelism() : hosts.reduce((sum, host) => sum + host.slots, 0));
  if (typeof np !== "number" || !Number.isInteger(np) || np < 1) {
    throw new RangeError(`launch(np): np must be a positive integer, got ${String(np)}`);
  }
  if (auth !== "curve" && auth !== "none") throw new RangeError(`launch(auth): auth must be "curve" or "none", got ${JSON.stringify(auth)}`);
  if (typeof program !== "string" || program === "") {
    throw new TypeError(`launch(program): program must be a non-empty path, got ${JSON.stringify(program)}`);
  }
  const args = options.args ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === "string")) {
    throw new TypeError("launch(args): args must be an array of strings");
  }
  const env = options.env ?? {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== "string") throw new TypeError(`launch(env): env.${name} must be a string, got ${typeof value}`);
  }
  if (options.trace !== undefined && (typeof options.trace !== "string" || options.trace === "")) {
    throw new TypeError(`launch(trace): trace must be a file name, got ${JSON.stringify(options.trace)}`);
  }
  if (timeout !== undefined && (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0)) {
    throw new RangeError(`launch(timeout): timeout must be a positive number of seconds, got ${String(timeout)}`);
  }
  if (transport !== "ipc" && transport !== "tcp") {
    throw new RangeError(`launch(transport): transport must be "ipc" or "tcp", got ${JSON.stringify(transport)}`);
  }
  if (options.bindTo !== undefined && !(BIND_TO as readonly unknown[]).includes(options.bindTo)) {
    throw new RangeError(`launch(bindTo): bindTo must be ${BIND_TO.map((v) => JSON.stringify(v)).join(" or ")}, got ${JSON.stringify(options.bindTo)}`);
  }
  if (options.mapBy !== undefined && !(MAP_BY as readonly unknown[]).includes(options.mapBy)) {
    throw new RangeError(`launch(mapBy): mapBy must be ${MAP_BY.map((v) => JSON.stringify(v)).join(" or ")}, got ${JSON.stringify(options.mapBy)}`);
  }
  if (typeof killGraceMs !== "number" || !Number.isFinite(killGraceMs) || killGraceMs < 0) {
    throw new RangeError(`launch(killGraceMs): killGraceMs must be a non-negative number, got ${String(killGraceMs)}`);
  }
  return {
    np,
    hosts,
    slurm,
    oversubscribe: options.oversubscribe ?? false,
    sshCommand: options.sshCommand,
    auth,
    iface: options.iface,
    program,
    args,
    // The ranks record their call sites, and a trace, only when asked: both cost on every call.
    env: {
      ...env,
      ...(options.getStackTraces === true ? { TSMPI_STACK_TRACES: "1" } : {}),
      // The ranks' clocks count from here (ms since the epoch), so that their times share one origin.
      ...(options.trace !== undefined ? { TSMPI_TRACE: String(Date.now()) } : {}),
    },
    traceFile: options.trace === undefined ? undefined : resolve(options.trace),
    timeoutSeconds: timeout,
    transport,
    bindTo: options.bindTo,
    mapBy: options.mapBy,
    reportBindings: options.reportBindings ?? false,
    cwd: options.cwd ?? process.cwd(),
    tagOutput: options.tagOutput ?? false,
    timestampOutput: options.timestampOutput ?? false,
    outputDir: options.outputDir,
    forwardOutput: options.forwardOutput ?? false,
    captureOutput: options.captureOutput ?? true,
    stdin: options.stdin,
    killGraceMs,
    signal: options.signal,
    stateRequests: options.stateRequests,
  };
}
