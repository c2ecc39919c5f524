/**
 * One job of bench/multihost on the cluster's hosts, started from this machine ("head"): tsmpi
 * through the tsmpirun command line (`--host`, `--ssh-command`, and `--auth none` for tsmpi-noauth),
 * Open MPI through mpirun over its tcp transport. A job yields its stdout, or why there is none.
 */
import { availableParallelism } from "node:os";
import { runProcess } from "../lib/run-process.ts";
import type { Cluster } from "./cluster.ts";
import { hostList, ranksOf, type Impl, type Layout } from "./plan.ts";

export interface Job {
  root: string;
  cluster: Cluster;
  layout: Layout;
  impl: Impl;
  /** tsmpi: a program relative to `root` (the cwd of every job); Open MPI: an executable. Then its arguments. */
  command: readonly string[];
  timeoutSeconds: number;
  /** Pass the job's stderr on as progress lines (the programs' own progress); default true. */
  forwardStderr?: boolean;
}

export type JobOutcome =
  | { stdout: string }
  /** `unsupported`: the tsmpirun option this tree's launcher rejected (multi-host not landed yet). */
  | { why: string; unsupported?: string };

/** `tsmpirun` arguments (after `node`): the hosts, how to reach them, and the authentication. */
export function tsmpirunArgs(job: Job): string[] {
  return [
    "packages/launcher/bin/tsmpirun.js",
    "--host",
    hostList(job.layout),
    "--ssh-command",
    job.cluster.sshCommand,
    ...(job.impl === "tsmpi-noauth" ? ["--auth", "none"] : []),
    "--timeout",
    String(job.timeoutSeconds),
    "-n",
    String(ranksOf(job.layout)),
    ...job.command,
  ];
}

/**
 * `mpirun` arguments. The hosts are namespaces of this one machine and share its cpus, which Open
 * MPI cannot see: its default binding (np <= 2: to core) puts the first rank of every host on cpu
 * 0, hence `--bind-to none`; and a job with more ranks than the machine has cpus gets
 * `mpi_yield_when_idle`, which mpirun sets by itself on a host it knows to be oversubscribed
 * (without it, busy-polling ranks share a cpu in scheduler ticks). Ranks of one host talk through
 * shared memory (vader), as tsmpi's do.
 */
export function mpirunArgs(job: Job): string[] {
  const np = ranksOf(job.layout);
  const mca = (name: string, value: string): string[] => ["--mca", name, value];
  return [
    ...(process.getuid?.() === 0 ? ["--allow-run-as-root"] : []),
    "--host",
    hostList(job.layout),
    "-n",
    String(np),
    "--bind-to",
    "none",
    ...mca("btl", job.layout.perHost > 1 ? "tcp,vader,self" : "tcp,self"),
    ...mca("plm_rsh_agent", job.cluster.sshCommand),
    ...mca("oob_tcp_if_include", job.cluster.subnet),
    ...mca("btl_tcp_if_include", job.cluster.subnet),
    ...(np > availableParallelism() ? mca("mpi_yield_when_idle", "1") : []),
    "--timeout",
    String(job.timeoutSeconds),
    ...job.command,
  ];
}

/** The command line of a job, for the report. */
export function commandLine(job: Job): string {
  const args = job.impl === "ompi-c" ? ["mpirun", ...mpirunArgs(job)] : ["node", ...tsmpirunArgs(job)];
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a}"`)).join(" ");
}

export async function runJob(job: Job): Promise<JobOutcome> {
  const [command, args] = job.impl === "ompi-c" ? ["mpirun", mpirunArgs(job)] : [process.execPath, tsmpirunArgs(job)];
  // Both launchers end their own job at --timeout (remote ranks included); this is the backstop.
  const run = await runProcess(command, args, { cwd: job.root, timeoutSeconds: job.timeoutSeconds + 30, forwardStderr: job.forwardStderr ?? true });
  const unsupported = /tsmpirun: unknown option (--[\w-]+)/.exec(run.stderr)?.[1];
  if (unsupported !== undefined) return { why: `tsmpirun has no ${unsupported} yet`, unsupported };
  if (run.timedOut || run.code === 124) return { why: `timed out after ${job.timeoutSeconds} s` };
  if (run.code !== 0) return { why: `${job.impl === "ompi-c" ? "mpirun" : "tsmpirun"} exited with ${run.code ?? run.signal}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}` };
  return { stdout: run.stdout };
}
