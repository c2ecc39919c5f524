import { BIND_TO, MAP_BY, type BindTo, type MapBy } from "./procs/binding.ts";
import type { LaunchOptions, TransportKind } from "./types.ts";

/** LaunchOptions with defaults filled in and every value checked. */
export interface ResolvedLaunchOptions {
  np: number;
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
}

export const DEFAULT_KILL_GRACE_MS = 2000;

/** Misuse of launch() is the one case where it rejects (with a TypeError or RangeError). */
export function validateLaunchOptions(options: LaunchOptions): ResolvedLaunchOptions {
  if (typeof options !== "object" || options === null) throw new TypeError("launch(options): options must be an object");
  const { np, program, timeout, transport = "ipc", killGraceMs = DEFAULT_KILL_GRACE_MS } = options;
  if (typeof np !== "number" || !Number.isInteger(np) || np < 1) {
    throw new RangeError(`launch(np): np must be a positive integer, got ${String(np)}`);
  }
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
    program,
    args,
    env,
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
  };
}
