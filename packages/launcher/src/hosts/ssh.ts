import { spawn, type ChildProcess } from "node:child_process";
import { agentCommand, shellQuote, splitCommand } from "./agent-command.ts";

/**
 * The ssh invocation unless `--ssh-command` replaces it: never prompt (a job cannot answer), give
 * up on an unreachable host in 10 s, and notice a dead link in 15 s (the agent's heartbeat ends
 * the ranks on the far side). User, port and keys belong in the user's ssh config.
 */
export const DEFAULT_SSH_COMMAND =
  "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3";

/**
 * Starts the agent on `host` over ssh: one connection per host, all hosts at once (a flat fan-out;
 * Open MPI's tree spawn is where its ssh hangs live). `exec` leaves no remote shell in between.
 */
export function startAgentOverSsh(host: string, sshCommand: string | undefined): ChildProcess {
  const [command, ...options] = splitCommand(sshCommand ?? DEFAULT_SSH_COMMAND);
  if (command === undefined) throw new RangeError("--ssh-command is empty");
  const remote = ["exec", ...agentCommand().map(shellQuote)].join(" ");
  // Own process group: a Ctrl-C on the terminal reaches tsmpirun only, which ends the job in order.
  return spawn(command, [...options, host, remote], { stdio: ["pipe", "pipe", "pipe"], detached: true });
}
