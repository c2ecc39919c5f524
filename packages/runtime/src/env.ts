import { wireupFailed } from "./errors.ts";
import { ENV, type TransportKind } from "./wireup/protocol.ts";

/** What tsmpirun told this rank about its job (TSMPI_RENDEZVOUS is tsmpirun's). */
export interface JobEnv {
  rank: number;
  size: number;
  jobId: string;
  rendezvous: string;
  transport: TransportKind;
  jobDir: string;
  /** See ENV.bindAddress. */
  bindAddress: string | undefined;
  /** See ENV.keyFile. */
  keyFile: string | undefined;
}

/** A rank of a job whose rank 0 serves the rendezvous (TSMPI_WIREUP=rank0: the Kubernetes Job). */
export interface Rank0Env {
  rank: number;
  size: number;
  jobId: string;
  /** `tcp://host:port`, rank 0's rendezvous as the other ranks reach it. */
  rendezvous: string;
  /** The port of {@link Rank0Env.rendezvous}, which rank 0 listens on. */
  port: number;
  /** See ENV.bindAddress (`undefined` or `auto`: the route towards the rendezvous). */
  bindAddress: string | undefined;
  keyFile: string | undefined;
  /** See ENV.wireupProgress. */
  progressMs: number;
}

/** A task started by a PMI-2 server (`srun --mpi=pmi2`); rank and size come from the server. */
export interface Pmi2Env {
  /** Slurm's launch node: the route towards it gives the address to listen on. */
  launchNodeAddress: string | undefined;
  /** See ENV.bindAddress: overrides the route towards the launch node. */
  bindAddress: string | undefined;
  /** See ENV.keyFile: Slurm makes no key, so only one the user provides. */
  keyFile: string | undefined;
}

/** How this process joins its job, as its environment says. */
export type WireupEnv =
  /** Started by hand: a world of one rank. */
  | { mode: "singleton" }
  | { mode: "launcher"; job: JobEnv }
  | { mode: "rank0"; job: Rank0Env }
  | { mode: "pmi2"; job: Pmi2Env };

/** The seconds between progress reports while a rank waits at a rendezvous of its own job. */
const DEFAULT_PROGRESS_SECONDS = 10;

/**
 * The only reader of TSMPI_* variables, and of what Slurm and PMI-2 say about this process. Throws
 * an `ERR_WIREUP` {@link TsmpiError} when the variables contradict each other, and when this
 * process is one of several tasks of an srun step that nobody can wire up (no PMI-2, no tsmpirun):
 * those tasks would otherwise each run as a world of one rank, silently (ompi#13523, MPI.jl#430).
 */
export function readWireupEnv(env: NodeJS.ProcessEnv = process.env): WireupEnv {
  const optional = (name: string): string | undefined => nonEmpty(env, name);
  const rendezvous = optional(ENV.rendezvous);
  const wireup = optional(ENV.wireup);
  if (wireup !== undefined && wireup !== "rank0") {
    throw badEnv(`${ENV.wireup}=${wireup}: the only value is rank0 (rank 0 serves the rendezvous); unset, tsmpirun serves it`);
  }
  if (rendezvous !== undefined) {
    return wireup === "rank0" ? { mode: "rank0", job: readRank0Env(env, rendezvous) } : { mode: "launcher", job: readLauncherEnv(env, rendezvous) };
  }
  if (wireup === "rank0") throw badEnv(`${ENV.wireup}=rank0 needs ${ENV.rendezvous}=tcp://HOST:PORT, where rank 0 serves the rendezvous`);
  // A PMI-2 server only when tsmpirun is not there: tsmpirun's agents may run in a step with PMI.
  if ((env.PMI_FD ?? "").trim() !== "") {
    return {
      mode: "pmi2",
      job: { launchNodeAddress: optional("SLURM_LAUNCH_NODE_IPADDR"), bindAddress: optional(ENV.bindAddress), keyFile: optional(ENV.keyFile) },
    };
  }
  const tasks = slurmStepTasks(env);
  if (tasks !== undefined && tasks > 1) {
    const mpiType = optional("SLURM_MPI_TYPE");
    const step = env.SLURM_JOB_ID === undefined ? "" : ` ${env.SLURM_JOB_ID}${env.SLURM_STEP_ID === undefined ? "" : `.${env.SLURM_STEP_ID}`}`;
    throw wireupFailed(
      { call: "init" },
      `this process is one of ${tasks} tasks of Slurm step${step}, started without a PMI-2 server (no PMI_FD${mpiType === undefined ? "" : `; SLURM_MPI_TYPE=${mpiType}`}) ` +
        `and without tsmpirun (no ${ENV.rendezvous}): the tasks cannot find each other, and would each run alone as a world of one rank. ` +
        "Start them with `srun --mpi=pmi2 ...`, or start the job with tsmpirun inside the allocation",
    );
  }
  return { mode: "singleton" };
}

/** A variable set to "" counts as unset, as in a shell's `VAR= command`. */
function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name] === "" ? undefined : env[name];
}

function badEnv(reason: string): Error {
  return wireupFailed({ call: "init" }, `bad tsmpi environment: ${reason}`);
}

function readLauncherEnv(env: NodeJS.ProcessEnv, rendezvous: string): JobEnv {
  const rank = Number(env[ENV.rank]);
  const size = Number(env[ENV.size]);
  if (!Number.isInteger(rank) || !Number.isInteger(size) || size < 1 || rank < 0 || rank >= size) {
    throw new Error(`tsmpi: bad launcher environment: ${ENV.rank}=${env[ENV.rank]} ${ENV.size}=${env[ENV.size]}`);
  }
  const transport = env[ENV.transport] === "tcp" ? "tcp" : "ipc";
  return {
    rank,
    size,
    jobId: env[ENV.jobId] ?? "",
    rendezvous,
    transport,
    jobDir: env[ENV.jobDir] ?? "",
    bindAddress: nonEmpty(env, ENV.bindAddress),
    keyFile: nonEmpty(env, ENV.keyFile),
  };
}

function readRank0Env(env: NodeJS.ProcessEnv, rendezvous: string): Rank0Env {
  const rankFrom = env[ENV.rankFrom] || ENV.rank;
  const rankText = env[rankFrom];
  const rank = Number(rankText);
  const size = Number(env[ENV.size]);
  if (!Number.isInteger(size) || size < 1 || env[ENV.size]?.trim() === "") throw badEnv(`${ENV.size}=${env[ENV.size] ?? ""} is not a number of ranks`);
  if (rankText === undefined || rankText.trim() === "" || !Number.isInteger(rank) || rank < 0 || rank >= size) {
    const via = rankFrom === ENV.rank ? ENV.rank : `${ENV.rankFrom}=${rankFrom}, and ${rankFrom}`;
    throw badEnv(`${via}=${rankText ?? "(unset)"} is not a rank of 0..${size - 1} (${ENV.size}=${size})`);
  }
  const port = Number(/^tcp:\/\/(?:\[[^\]]+\]|[^:/]+):(\d+)$/.exec(rendezvous)?.[1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw badEnv(`${ENV.rendezvous}=${rendezvous}: with ${ENV.wireup}=rank0 it must be tcp://HOST:PORT, rank 0's name and the port it serves on`);
  }
  const progressText = env[ENV.wireupProgress];
  const progressSeconds = progressText === undefined || progressText === "" ? DEFAULT_PROGRESS_SECONDS : Number(progressText);
  if (!(progressSeconds > 0)) throw badEnv(`${ENV.wireupProgress}=${progressText ?? ""} is not a positive number of seconds`);
  return {
    rank,
    size,
    jobId: env[ENV.jobId] ?? "",
    rendezvous,
    port,
    bindAddress: nonEmpty(env, ENV.bindAddress),
    keyFile: nonEmpty(env, ENV.keyFile),
    progressMs: progressSeconds * 1000,
  };
}

/**
 * How many tasks the srun step of this process has, when it is a task of one. SLURM_STEP_NUM_TASKS
 * is srun's; SLURM_NTASKS alone is also set in an salloc shell and a batch script, which run one
 * process for the whole allocation, so it counts only beside srun's SLURM_STEP_ID.
 */
function slurmStepTasks(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.SLURM_STEP_NUM_TASKS ?? (env.SLURM_STEP_ID === undefined ? undefined : env.SLURM_NTASKS);
  const tasks = Number(text);
  return text === undefined || !Number.isInteger(tasks) ? undefined : tasks;
}

/**
 * Whether messages between ranks of one host may go through shared memory (transport/same-host.ts,
 * transport/shared-ring.ts); `TSMPI_SHM=0` sends everything through the sockets, like Open MPI's
 * `--mca btl ^vader`.
 */
export function sharedMemoryTransportAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TSMPI_SHM !== "0";
}

/**
 * `TSMPI_SPIN_US`: how long a waiting rank polls its shared-memory queues before it sleeps
 * (transport/progress-policy.ts), in microseconds; `undefined` when unset or not a number >= 0.
 */
export function spinBudgetOverrideUs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const us = Number(env.TSMPI_SPIN_US);
  return env.TSMPI_SPIN_US !== undefined && env.TSMPI_SPIN_US !== "" && Number.isFinite(us) && us >= 0 ? us : undefined;
}

/**
 * `TSMPI_BLOCK_US`: how long a waiting rank may sleep in the futex before its socket takes over
 * (transport/progress-policy.ts), in microseconds; `undefined` when unset or not a number >= 0.
 */
export function blockBudgetOverrideUs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const us = Number(env.TSMPI_BLOCK_US);
  return env.TSMPI_BLOCK_US !== undefined && env.TSMPI_BLOCK_US !== "" && Number.isFinite(us) && us >= 0 ? us : undefined;
}

/**
 * Default of {@link flushTimeoutMs}. A peer that has exited shows at once (its connection drops),
 * so this bounds only a live peer that does not read; one that is busy reading a flood of messages
 * answers late, and giving up on it loses what it has not read yet (10 s lost messages of an 8-rank
 * sendflood with 1000 messages of each size per sender).
 */
const FLUSH_TIMEOUT_MS = 60_000;

/**
 * How long finalize waits for the peers this rank sent to to confirm they hold it all
 * (transport/zmq.ts), in ms: `TSMPI_FLUSH_TIMEOUT_MS`, default 60 s. A bound for a peer that neither
 * answers nor exits; tests raise it so that a lost answer shows as a hung job, not as a slow one.
 */
export function flushTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.TSMPI_FLUSH_TIMEOUT_MS);
  return env.TSMPI_FLUSH_TIMEOUT_MS !== undefined && env.TSMPI_FLUSH_TIMEOUT_MS !== "" && Number.isFinite(ms) && ms >= 0 ? ms : FLUSH_TIMEOUT_MS;
}

/**
 * A forced collective algorithm: `TSMPI_COLL_ALLREDUCE=ring` forces allreduce's `ring` (MPICH's
 * MPIR_CVAR_ALLREDUCE_INTRA_ALGORITHM, Open MPI's coll_tuned_allreduce_algorithm).
 */
export function forcedAlgorithm(collective: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // Read at every call (a program may set it between calls), by a name made once per collective:
  // making it costs more than the read.
  const value = env[forcedAlgorithmVariable(collective)];
  return value === undefined || value === "" || value === "auto" ? undefined : value;
}

const forcingVariables = new Map<string, string>();

/** The variable that forces `collective`'s algorithm: `TSMPI_COLL_REDUCE_SCATTER` for `reduceScatter`. */
export function forcedAlgorithmVariable(collective: string): string {
  let name = forcingVariables.get(collective);
  if (name === undefined) {
    name = `TSMPI_COLL_${collective.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    forcingVariables.set(collective, name);
  }
  return name;
}

/**
 * Whether this rank's standard output ends up on a terminal: directly, or through a tsmpirun whose
 * own stdout is one (ranks write into pipes, so `process.stdout.isTTY` alone says no).
 */
export function stdoutIsTerminal(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.stdout.isTTY === true || env[ENV.stdoutTty] === "1";
}

/** Whether to record where in the program each call was made (ENV.stackTraces, tsmpirun --get-stack-traces). */
export function stackTracesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ENV.stackTraces] === "1";
}

/**
 * The launcher's clock at the job's start (ms since the epoch) when tsmpirun asked for a
 * communication trace (ENV.trace, `--trace FILE`); `undefined`: no trace.
 */
export function commTraceEpochMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[ENV.trace];
  if (value === undefined || value === "") return undefined;
  const epoch = Number(value);
  return Number.isFinite(epoch) ? epoch : undefined;
}
