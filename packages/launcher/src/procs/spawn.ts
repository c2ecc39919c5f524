import type { ChildProcess } from "node:child_process";
import { ENV, type TransportKind } from "@tsmpi/runtime/internal/wireup";
import type { HostBackend } from "../hosts/host.ts";
import { boundCommand } from "./binding.ts";

export interface RankLaunchSpec {
  rank: number;
  size: number;
  jobId: string;
  jobDir: string;
  rendezvous: string;
  transport: TransportKind;
  bundle: string;
  args: readonly string[];
  cwd: string;
  /** Variables added by the user (`-x`), on top of the launcher's environment. */
  extraEnv: Readonly<Record<string, string>>;
  /** Only rank 0 reads the launcher's input. */
  withStdin: boolean;
  /** The rank's stdout is forwarded to a terminal. */
  stdoutTty: boolean;
  /** The cpu the rank is bound to (all its threads), or undefined to leave it to the scheduler. */
  cpu: number | undefined;
  /** Across hosts: where the rank listens on tcp (ENV.bindAddress); undefined on one host. */
  bindAddress?: string | undefined;
  /** Across hosts: the job's key file (ENV.keyFile); undefined without authentication. */
  keyFile?: string | undefined;
}

/**
 * glibc settings for ranks (GLIBC_TUNABLES), each unless the user's environment sets it:
 * - malloc keeps freed memory in the process (as Open MPI's memory hooks do). Every large message
 *   received lands in fresh malloc'd memory; by default glibc hands a freed 4 MiB payload back to
 *   the kernel and the next one page-faults its way in again (half the receiver's time in a 4 MiB
 *   stream: 3-5 -> 7.3 GB/s). The peak resident size does not grow: memory is kept, not taken.
 * - memcpy of 1 MiB and more uses non-temporal stores. glibc derives the threshold from the cache
 *   size the CPU reports, and VMs like this one report ~240 MiB, so large copies (shared-memory
 *   rings, collectives) evict the cache and read every destination line first: a 4 MiB stream
 *   went from ~6.0 to ~7.1 GB/s, with half the sender's CPU (bench/pingpong).
 * Unknown tunables (another architecture) are ignored by glibc; other C libraries ignore them all.
 */
const GLIBC_DEFAULTS: ReadonlyArray<{ tunable: string; value: string; alias?: string }> = [
  { tunable: "glibc.malloc.mmap_threshold", value: String(32 * 1024 * 1024), alias: "MALLOC_MMAP_THRESHOLD_" },
  { tunable: "glibc.malloc.trim_threshold", value: String(128 * 1024 * 1024), alias: "MALLOC_TRIM_THRESHOLD_" },
  { tunable: "glibc.cpu.x86_non_temporal_threshold", value: String(1024 * 1024) },
];

/** The user's GLIBC_TUNABLES with the defaults it does not set (by name or by MALLOC_* alias) appended. */
function glibcTunables(env: NodeJS.ProcessEnv): string {
  const entries = (env.GLIBC_TUNABLES ?? "").split(":").filter((entry) => entry !== "");
  const named = new Set(entries.map((entry) => entry.split("=")[0]));
  for (const { tunable, value, alias } of GLIBC_DEFAULTS) {
    if (!named.has(tunable) && (alias === undefined || env[alias] === undefined)) entries.push(`${tunable}=${value}`);
  }
  return entries.join(":");
}

/**
 * Variables every rank gets unless the user's environment sets them. msgpackr's optional native
 * string extractor costs each rank ~9.5 ms of CPU to load (16 ranks on 2 cores: ~75 ms of a
 * 1.1 s `tsmpirun -n 16`) and decoded our messages no faster (0.93 vs 1.07 us for a small object,
 * 73 vs 69 us for 1000 records: measured with msgpackr 2.1 on this machine).
 */
const RANK_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  MSGPACKR_NATIVE_ACCELERATION_DISABLED: "true",
};

/**
 * `env` with the defaults every rank gets that it does not set itself (the variables above, then
 * the glibc tunables): for ranks tsmpirun starts and for the one `tsmpirun --as-rank` runs.
 */
export function withRankDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const merged = { ...RANK_ENV_DEFAULTS, ...env };
  return { ...merged, GLIBC_TUNABLES: glibcTunables(merged) };
}

/**
 * The environment of one rank: the defaults above, then the inherited environment, then the user's
 * additions, then the glibc defaults they do not override, then the job's TSMPI_* (which win).
 */
export function rankEnvironment(spec: RankLaunchSpec): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  // A launch from inside a pod of an emitted Job must not make its ranks wire up the pod's way.
  delete inherited[ENV.wireup];
  delete inherited[ENV.rankFrom];
  return {
    ...withRankDefaults({ ...inherited, ...spec.extraEnv }),
    [ENV.rank]: String(spec.rank),
    [ENV.size]: String(spec.size),
    [ENV.jobId]: spec.jobId,
    [ENV.rendezvous]: spec.rendezvous,
    [ENV.transport]: spec.transport,
    [ENV.jobDir]: spec.jobDir,
    ...(spec.stdoutTty ? { [ENV.stdoutTty]: "1" } : {}),
    ...(spec.bindAddress === undefined ? {} : { [ENV.bindAddress]: spec.bindAddress }),
    ...(spec.keyFile === undefined ? {} : { [ENV.keyFile]: spec.keyFile }),
  };
}

/**
 * Preloaded in every rank: makes its stdout and stderr blocking when they are pipes (they are: to
 * tsmpirun or to the agent), as Node makes them for a terminal. Node writes to a pipe
 * asynchronously on POSIX, queueing in the rank's memory what the pipe does not take at once, so
 * with tsmpirun's reader stalled (`tsmpirun ... | less`) a rank printing 200 MB grew by as much
 * (VmHWM ~525 MB); blocking, it waits for the pipe like a C program (~70 MB) and loses nothing.
 * The launcher only stops reading a pipe while its own reader is slow or another rank's long line
 * is being forwarded (output/route.ts, which ends a line held idle), so a blocked rank resumes.
 * A data: URL, not a file, so that it is the same on every host and costs no file lookup; its code
 * has no "?" or "#", which would end the URL's path, and the code with it.
 */
export const BLOCKING_STDIO_PRELOAD =
  "data:text/javascript,for(const s of [process.stdout,process.stderr])if(s._type==='pipe'&&s._handle&&s._handle.setBlocking)s._handle.setBlocking(true)";

/** Starts one rank: plain node on the job's bundle (source maps on, so stacks name the .ts lines). */
export function spawnRank(host: HostBackend, spec: RankLaunchSpec): ChildProcess {
  const nodeArgs = ["--enable-source-maps", "--import", BLOCKING_STDIO_PRELOAD, spec.bundle, ...spec.args];
  const { command, args } = boundCommand(process.execPath, nodeArgs, spec.cpu);
  return host.spawnRank({
    rank: spec.rank,
    command,
    args,
    cwd: spec.cwd,
    env: rankEnvironment(spec),
    stdio: [spec.withStdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
}
