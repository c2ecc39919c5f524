import { readdirSync, readFileSync } from "node:fs";

/**
 * Pids of live processes started for the job `jobId`: every rank and anything a rank started
 * inherits TSMPI_JOB_ID in its initial environment (/proc/<pid>/environ). Zombies have an
 * empty environ, so only processes that still run are counted. Linux only.
 */
export function jobProcesses(jobId: string): number[] {
  const needle = `TSMPI_JOB_ID=${jobId}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, "latin1")}`.includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** The job id printed by fixtures as `job=<TSMPI_JOB_ID>` (see test/fixtures/behave.ts). */
export function jobIdFrom(stdout: string): string {
  const match = /job=([0-9a-f]+)/.exec(stdout);
  if (!match?.[1]) throw new Error(`no job=<id> line in output:\n${stdout}`);
  return match[1];
}

/** The job's POSIX shared-memory segments in /dev/shm (their names carry the job id). */
export function jobSegments(jobId: string): string[] {
  return readdirSync("/dev/shm").filter((name) => name.startsWith(`tsmpi-${jobId}-`));
}
