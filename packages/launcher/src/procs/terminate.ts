import type { HostBackend } from "../hosts/host.ts";

/**
 * Ends a rank and everything it started: SIGTERM to its process group, and after `graceMs`
 * SIGKILL to the group — sent even if the rank itself has exited by then, because a grandchild
 * that ignores SIGTERM would otherwise outlive the job.
 *
 * @param exited resolves when the rank process has exited.
 */
export async function terminateRank(
  host: HostBackend,
  pid: number,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<void> {
  if (!host.signalRankGroup(pid, "SIGTERM")) return;
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  // Nothing in the group is waited for beyond this: SIGKILL cannot be ignored.
  host.signalRankGroup(pid, "SIGKILL");
}

/** Kills whatever is left in a finished rank's process group (stray grandchildren). */
export function killLeftovers(host: HostBackend, pid: number): void {
  host.signalRankGroup(pid, "SIGKILL");
}
