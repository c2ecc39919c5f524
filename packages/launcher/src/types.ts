import type { TransportKind } from "@tsmpi/runtime/internal/wireup";
import type { BindTo, MapBy } from "./procs/binding.ts";

export type { TransportKind, BindTo, MapBy };

/** What `launch()` starts: `np` copies of `program`, bundled once, supervised until all exit. */
export interface LaunchOptions {
  /**
   * Number of ranks (a positive integer). Default: the total slots of `host`/`hostfile`; inside a
   * Slurm allocation SLURM_NTASKS (else its slots); else the cpus available here.
   */
  np?: number;
  /**
   * Run on these hosts (`--host`): `"n1:2,n2"`, `:N` slots per host, none = 1. Hosts other than
   * this one are reached over ssh, where a tsmpi agent starts their ranks.
   */
  host?: string;
  /** Run on the hosts of this file (`--hostfile`): lines `n1 slots=4`, `n1:4` or `n1`; `#` comments. */
  hostfile?: string;
  /** Allow more ranks than slots (`--oversubscribe`); otherwise such a job is refused (exit 2). */
  oversubscribe?: boolean;
  /** The ssh invocation for other hosts, as one string (`--ssh-command "ssh -F cfg"`). */
  sshCommand?: string;
  /**
   * Across hosts, `curve` (default) encrypts every tcp connection of the job and admits only
   * this job's processes (a key pair made per job); `none` for trusted networks.
   */
  auth?: "curve" | "none";
  /** Across hosts, the interface (name like `eth0`, or CIDR like `10.0.0.0/8`) ranks listen on. */
  iface?: string;
  /** Path of the rank program (.ts, .mts, .cts, .js, .mjs, .cjs), relative to `cwd`. */
  program: string;
  /** Arguments passed to every rank after the program path. */
  args?: readonly string[];
  /**
   * Extra environment for every rank, on top of the launcher's own environment
   * (what `-x VAR=value` adds). The TSMPI_* variables of the job always win.
   */
  env?: Readonly<Record<string, string>>;
  /**
   * End the job after this many seconds (exit code 124). Before it ends the job, the launcher asks
   * every rank what it is blocked in; `JobResult.failure` holds the report.
   */
  timeout?: number;
  /**
   * Ranks record where in the program each call was made, and the state report shows it
   * (`--get-stack-traces`). Costs a stack capture per call: for debugging hangs.
   */
  getStackTraces?: boolean;
  /**
   * Write a communication trace of the job to this file (`--trace FILE`; relative to this process's
   * working directory): Trace Event Format JSON, which ui.perfetto.dev and chrome://tracing open.
   * One track per rank, a slice per point-to-point call and collective, an arrow from each send to
   * the receive that took it. Written also when the job fails, with what the ranks sent; see
   * `JobResult.trace`. Off by default, and then the ranks record nothing.
   */
  trace?: string;
  /**
   * Each `report` event dispatched on it prints the state report (what every rank is blocked in)
   * to this process's stderr while the job goes on; tsmpirun dispatches one on SIGUSR1.
   */
  stateRequests?: EventTarget;
  /**
   * Confine each rank (every thread of it) to one cpu: `core`, or `none`. Default `none`: on a
   * shared 2-core VM binding did not help latency or bandwidth (bench/results/launch.md, "Binding").
   * Needs util-linux `taskset`; without it ranks run unbound (with a warning).
   */
  bindTo?: BindTo;
  /** Which cpu each rank gets: `core` (rank mod cpus, default) or `slot` (blocks of consecutive ranks). */
  mapBy?: MapBy;
  /** Write one `tsmpirun: rank R bound to cpu C` line per rank to this process's stderr at start. */
  reportBindings?: boolean;
  /** How ranks reach the rendezvous and each other. Default `ipc`. */
  transport?: TransportKind;
  /** Working directory of every rank and base of a relative `program`. Default `process.cwd()`. */
  cwd?: string;
  /** Prefix every output line with `[rank] `. */
  tagOutput?: boolean;
  /** Prefix every output line with an ISO-8601 timestamp. */
  timestampOutput?: boolean;
  /** Write `outputDir/rank.R/stdout` and `.../stderr` instead of forwarding (like Open MPI --output-filename). */
  outputDir?: string;
  /** Forward each rank's lines to this process's stdout/stderr. Default false (capture only). */
  forwardOutput?: boolean;
  /**
   * Keep every rank's whole stdout/stderr in the result. Default true; the CLI turns it off
   * (it forwards instead) and only the last lines of stderr are kept for failure reports.
   */
  captureOutput?: boolean;
  /** Input for rank 0 (the other ranks get none). Default: no input. */
  stdin?: NodeJS.ReadableStream | string | Uint8Array;
  /** Time between SIGTERM and SIGKILL when the launcher ends ranks. Default 2000 ms. */
  killGraceMs?: number;
  /**
   * Ends the job when aborted. If `signal.reason` is a signal name (`"SIGINT"`, `"SIGTERM"`),
   * the exit code is 128 + its number (130, 143), as if the launcher had been killed by it; else 130.
   */
  signal?: AbortSignal;
}

/** How one rank ended. */
export interface RankResult {
  rank: number;
  /** Undefined if the process could not be started. */
  pid: number | undefined;
  /** Exit code, or null if it died by a signal. */
  exitCode: number | null;
  /** The signal that ended it, or null if it exited. */
  signal: NodeJS.Signals | null;
  /** Captured stdout ("" when `captureOutput` is false). */
  stdout: string;
  /** Captured stderr ("" when `captureOutput` is false). */
  stderr: string;
  /** The uncaught exception the rank reported through the rendezvous before exiting. */
  error?: { message: string; stack: string };
  /** True if the launcher signalled this rank (to end the job) before it exited. */
  endedByLauncher: boolean;
}

/** The outcome of a job: one shape whether it succeeded or failed. */
export interface JobResult {
  /**
   * 0 on success; else the code of the lowest rank that failed by itself (128 + signal number if
   * it was killed), the code given to `abort()`, 124 on timeout, 128 + n when ended by `signal`,
   * 1 for launcher-level failures (program not found, bundle error, wire-up stall).
   */
  exitCode: number;
  /** Random hex id, given to every rank as TSMPI_JOB_ID. */
  jobId: string;
  timedOut: boolean;
  /** One entry per rank, in rank order; empty if no rank was started. */
  ranks: RankResult[];
  /** What went wrong, as the CLI prints it (lines starting `tsmpirun: `). */
  failure?: string;
  /** Where the ranks ran: `cpus[rank]` is the cpu a rank was bound to, undefined if unbound. */
  placement?: { bindTo: BindTo; mapBy: MapBy; reason: string; cpus: (number | undefined)[] };
  durationMs: number;
  /** With `trace`: the file written and its number of events, or why it could not be written. */
  trace?: {
    file: string;
    events: number;
    error?: string;
    /** Ranks that sent no trace: they ended before leaving the job in order (a crash, `process.exit` without finalize). */
    ranksWithoutTrace: number[];
  };
}
