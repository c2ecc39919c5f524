import { spawn, type ChildProcess } from "node:child_process";
import { agentCommand } from "./agent-command.ts";

/** Starts the agent for tsmpirun's own host in a job that spans hosts: no ssh needed. */
export function startLocalAgent(): ChildProcess {
  const [node, ...args] = agentCommand();
  return spawn(node!, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
}
