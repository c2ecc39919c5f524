/**
 * Open MPI's "exited without calling finalize": a rank that called init and then exits 0 without
 * finalize (process.exit after init, say) leaves the ranks that wait for it hanging until
 * --timeout. The launcher ends the job instead, but only while another rank is still in the job
 * (running and not finalized): when the others are done or gone, nobody waits for it.
 */
import type { RendezvousServer } from "@tsmpi/runtime/internal/wireup";
import type { ExitStatus } from "./procs/exit-status.ts";

/** Whether `rank`, which just exited with `status`, ended the job improperly. */
export function exitedWithoutFinalize(
  rank: number,
  status: ExitStatus,
  server: Pick<RendezvousServer, "hasJoined" | "hasFinalized">,
  ranks: readonly { rank: number; status: ExitStatus | undefined }[],
): boolean {
  // A failure is reported as such; the finalize notice is acknowledged before the rank goes on.
  if (status.exitCode !== 0 || !server.hasJoined(rank) || server.hasFinalized(rank)) return false;
  return ranks.some((other) => other.rank !== rank && other.status === undefined && !server.hasFinalized(other.rank));
}
