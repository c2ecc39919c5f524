/**
 * The three-host test cluster test/cluster/up.sh starts (network namespaces tsmpi-n1..3, hosts n1..n3
 * at 10.201.0.11-13 with sshd on port 2222, this machine "head" at 10.201.0.1), as bench/multihost
 * finds it. The part never starts or stops it: when it is not up, `findCluster` says why and the
 * part becomes a note.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runProcess, type ProcessResult } from "../lib/run-process.ts";

export interface Cluster {
  sshConfig: string;
  /** For tsmpirun `--ssh-command` and Open MPI's `plm_rsh_agent`. */
  sshCommand: string;
  /** The hosts' subnet, for Open MPI's `oob_tcp_if_include` and `btl_tcp_if_include`. */
  subnet: string;
}

export const CLUSTER_HOSTS = ["n1", "n2", "n3"] as const;
const NAMESPACES = CLUSTER_HOSTS.map((h) => `tsmpi-${h}`);
const SUBNET = "10.201.0.0/24";

/** The cluster, or why it cannot be used (not up, or a host not answering over ssh). */
export async function findCluster(cwd: string): Promise<Cluster | { why: string }> {
  const dir = process.env.TSMPI_CLUSTER_DIR ?? "/var/tmp/tsmpi-cluster";
  const sshConfig = join(dir, "ssh", "ssh_config");
  const notUp = "the test cluster is not up (`sudo bash test/cluster/up.sh` starts it)";
  if (!existsSync(sshConfig)) return { why: `no ${sshConfig}: ${notUp}` };
  const netns = await quietly(cwd, "ip", ["netns", "list"]);
  if (netns instanceof Error || netns.code !== 0) return { why: `\`ip netns list\` failed (${netns instanceof Error ? netns.message : netns.stderr.trim()}): ${notUp}` };
  const missing = NAMESPACES.filter((ns) => !new RegExp(`^${ns}\\b`, "m").test(netns.stdout));
  if (missing.length > 0) return { why: `no network namespace ${missing.join(", ")}: ${notUp}` };

  const sshCommand = `ssh -F ${sshConfig}`;
  const answers = await Promise.all(
    CLUSTER_HOSTS.map(async (host) => {
      const run = await quietly(cwd, "ssh", ["-F", sshConfig, host, "hostname"]);
      if (run instanceof Error) return `${host} (${run.message})`;
      return run.code === 0 && run.stdout.trim() === host ? undefined : `${host} (${run.timedOut ? "timed out" : run.stderr.trim().split("\n").at(-1) || `answered ${run.stdout.trim()}`})`;
    }),
  );
  const silent = answers.filter((a) => a !== undefined);
  if (silent.length > 0) return { why: `\`${sshCommand} HOST hostname\` failed for ${silent.join(", ")}` };
  return { sshConfig, sshCommand, subnet: SUBNET };
}

/** A short command with its output kept to itself; a command that cannot be started is an Error. */
function quietly(cwd: string, command: string, args: string[]): Promise<ProcessResult | Error> {
  return runProcess(command, args, { cwd, timeoutSeconds: 15, forwardStderr: false }).catch((error: Error) => error);
}
