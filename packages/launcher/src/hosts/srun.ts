import { spawn, type ChildProcess } from "node:child_process";
import { agentCommand } from "./agent-command.ts";

/**
 * Starts the agent on `host` of the Slurm allocation tsmpirun runs in, as a one-task job step.
 * `--overlap` when tsmpirun itself runs inside a step (srun within srun, or sbatch's batch step
 * after an srun): without it the new step waits for resources the outer step holds. The step gets
 * the host's allocated cpus, so ranks are not confined to one; its own binding is off, since
 * tsmpirun places ranks itself.
 */
export function startAgentWithSrun(host: string, cpus: number | undefined, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const options = [
    "--nodes=1",
    "--ntasks=1",
    `--nodelist=${host}`,
    "--kill-on-bad-exit=1",
    "--cpu-bind=none",
    "--unbuffered",
    ...(cpus === undefined ? [] : [`--cpus-per-task=${cpus}`]),
    ...(env.SLURM_STEP_ID !== undefined ? ["--overlap"] : []),
  ];
  return spawn("srun", [...options, ...agentCommand()], { stdio: ["pipe", "pipe", "pipe"], detached: true });
}

/**
 * What srun says about `--cpu-bind=none` on a cluster without a task plugin that binds: true, and
 * not worth showing. Other srun lines are shown with the host's name.
 */
export function isSrunNoise(line: string): boolean {
  return line === "srun: cluster configuration lacks support for cpu binding";
}
