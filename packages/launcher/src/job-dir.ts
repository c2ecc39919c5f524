import { mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The private directory of one job: the bundle, the rendezvous socket and the ranks' ipc
 * endpoints live here. mkdtemp creates it with mode 0700, so other users cannot connect to
 * the job's sockets. Kept short: unix socket paths are limited to ~107 bytes.
 */
export interface JobDir {
  readonly path: string;
  /** Removes the directory; safe to call more than once. */
  remove(): Promise<void>;
}

/** Directories still to remove if the launcher exits without reaching its own cleanup. */
const liveJobDirs = new Set<string>();
let exitHookInstalled = false;

export function createJobDir(): JobDir {
  const path = mkdtempSync(join(tmpdir(), "tsmpi-"));
  liveJobDirs.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort for process.exit() paths that skip the async cleanup; 'exit' handlers must be sync.
    process.on("exit", () => {
      for (const dir of liveJobDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  return {
    path,
    async remove() {
      liveJobDirs.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}
