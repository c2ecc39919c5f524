/**
 * `tsmpirun --as-rank PROGRAM [ARGS]`: one rank of a job that tsmpirun does not start. Something
 * else starts one of these per rank (srun --mpi=pmi2, the Kubernetes Job of --emit k8s) and the
 * runtime wires the ranks up from the environment that gives them; this only bundles PROGRAM, as a
 * launch would (same cache), and runs it in this process's place: `node --enable-source-maps
 * BUNDLE ARGS`, with this process's stdio and environment (plus the defaults every rank gets).
 * Signals that end a process are passed on, and the exit status is the rank's.
 */
import { spawn, type StdioOptions } from "node:child_process";
import { dirname } from "node:path";
import { bundlePath, bundleProgramCached } from "./bundle/bundle.ts";
import { findProgram } from "./find-program.ts";
import { createJobDir } from "./job-dir.ts";
import { shellExitCode } from "./procs/exit-status.ts";
import { withRankDefaults } from "./procs/spawn.ts";

/** Passed on to the rank: srun and kubelet end a task with these (a container's PID 1 has no default action for them). */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs one rank of `program` and resolves with the exit status to leave with: the rank's own, or
 * 128 + n when it was killed by signal n; 1 when the program cannot be found or bundled.
 */
export async function runAsRank(program: string, args: readonly string[], cwd: string = process.cwd()): Promise<number> {
  const found = await findProgram(cwd, program);
  if (!found.ok) {
    process.stderr.write(`${found.message}; no rank was started\n`);
    return 1;
  }
  // Where esbuild writes on a cache miss when no cache can be kept; removed once the rank is done.
  const scratch = createJobDir();
  try {
    const bundled = await bundleProgramCached(found.path, bundlePath(scratch.path));
    if (!bundled.ok) {
      process.stderr.write(`tsmpirun: could not bundle ${program}; no rank was started\n${bundled.diagnostics}\n`);
      return 1;
    }
    // A bundle from the cache needs no scratch: gone before the rank starts, it cannot be left
    // behind by a SIGKILL (Slurm's way of ending a step after an abort).
    if (dirname(bundled.file) !== scratch.path) await scratch.remove();
    return await runInPlace(bundled.file, args, cwd);
  } finally {
    await scratch.remove();
  }
}

async function runInPlace(bundle: string, args: readonly string[], cwd: string): Promise<number> {
  const child = spawn(process.execPath, ["--enable-source-maps", bundle, ...args], {
    cwd,
    env: withRankDefaults(process.env),
    stdio: stdioWithPmiSocket(process.env.PMI_FD),
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (exitCode, signal) => resolve(shellExitCode({ exitCode, signal })));
    });
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, forward);
  }
}

/**
 * The rank's stdio: ours, and under srun --mpi=pmi2 the PMI-2 socket at the same descriptor number,
 * so that PMI_FD means the same in the rank. Passed explicitly: Node makes no promise that a
 * descriptor it did not open survives into a child.
 */
function stdioWithPmiSocket(pmiFd: string | undefined): StdioOptions {
  const fd = Number(pmiFd?.trim());
  if (pmiFd === undefined || !Number.isSafeInteger(fd) || fd <= 2) return "inherit";
  const stdio: StdioOptions = ["inherit", "inherit", "inherit"];
  for (let index = 3; index < fd; index++) stdio.push("ignore");
  stdio.push(fd);
  return stdio;
}
