import { ENV, type TransportKind } from "./wireup/protocol.ts";

/** What the launcher told this rank about its job; `undefined` for a singleton started by hand. */
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

/** The only reader of TSMPI_* variables. */
export function readJobEnv(env: NodeJS.ProcessEnv = process.env): JobEnv | undefined {
  const rendezvous = env[ENV.rendezvous];
  if (rendezvous === undefined || rendezvous === "") return undefined;
  const rank = Number(env[ENV.rank]);
  const size = Number(env[ENV.size]);
  if (!Number.isInteger(rank) || !Number.isInteger(size) || size < 1 || rank < 0 || rank >= size) {
    throw new Error(`tsmpi: bad launcher environment: ${ENV.rank}=${env[ENV.rank]} ${ENV.size}=${env[ENV.size]}`);
  }
  const transport = env[ENV.transport] === "tcp" ? "tcp" : "ipc";
  const optional = (name: string): string | undefined => (env[name] === "" ? undefined : env[name]);
  return {
    rank,
    size,
    jobId: env[ENV.jobId] ?? "",
    rendezvous,
    transport,
    jobDir: env[ENV.jobDir] ?? "",
    bindAddress: optional(ENV.bindAddress),
    keyFile: optional(ENV.keyFile),
  };
}

/**
 * Whether large messages between ranks of one host may go through shared memory
 * (transport/shared-ring.ts); `TSMPI_SHM=0` sends everything through the sockets, like Open MPI's
 * `--mca btl ^vader`.
 */
export function sharedMemoryTransportAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TSMPI_SHM !== "0";
}

/**
 * A forced collective algorithm: `TSMPI_COLL_ALLREDUCE=ring` forces allreduce's `ring` (MPICH's
 * MPIR_CVAR_ALLREDUCE_INTRA_ALGORITHM, Open MPI's coll_tuned_allreduce_algorithm).
 */
export function forcedAlgorithm(collective: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[`TSMPI_COLL_${collective.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
  return value === undefined || value === "" || value === "auto" ? undefined : value;
}

/**
 * Whether this rank's standard output ends up on a terminal: directly, or through a tsmpirun whose
 * own stdout is one (ranks write into pipes, so `process.stdout.isTTY` alone says no).
 */
export function stdoutIsTerminal(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.stdout.isTTY === true || env[ENV.stdoutTty] === "1";
}
