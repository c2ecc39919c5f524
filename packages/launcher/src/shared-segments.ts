import { readdir, rm } from "node:fs/promises";
import { sharedSegmentPrefix } from "@tsmpi/runtime/internal/wireup";

const SHM_DIR = "/dev/shm";

/**
 * Removes the job's POSIX shared-memory segments still named in /dev/shm. A SharedArray unlinks its
 * segment's name as soon as every rank has attached, so this only finds one when a rank died in
 * that short window (SIGKILL, which no handler sees).
 */
export async function removeJobSegments(jobId: string, host?: string): Promise<void> {
  const prefix = sharedSegmentPrefix(jobId, host);
  let names: string[];
  try {
    names = await readdir(SHM_DIR);
  } catch {
    return; // no /dev/shm: not Linux, nothing to do
  }
  await Promise.all(names.filter((name) => name.startsWith(prefix)).map((name) => rm(`${SHM_DIR}/${name}`, { force: true })));
}
