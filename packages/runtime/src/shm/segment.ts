/**
 * POSIX shared memory segments through the `shm-typed-array` package (a small node-gyp addon
 * over shm_open + ftruncate + mmap; built at install time, see pnpm-workspace.yaml).
 *
 * Lifetime: a POSIX segment lives until its name is unlinked, even when every process that mapped
 * it has died, so a crashed job would leave it in /dev/shm. The name is needed only to attach;
 * a mapping stays valid after the unlink. So every user unlinks a name as soon as everyone who
 * needs it has attached: a SharedArray's creator once all ranks have (shared/shared-array.ts), a
 * transport ring's one reader when it maps it (transport/shared-ring.ts), a communicator's region
 * the last rank at its first meeting (coll/shared-region.ts), a same-host inbox the last of its
 * host's senders to map it, else its receiver at finalize (transport/inbox.ts). The memory goes back to the system
 * when the last process that maps it exits, however it exits, SIGKILL included. The window between
 * creating and unlinking is guarded here for creators that wait in it: an 'exit' listener
 * (process.exit, uncaught exceptions) and SIGTERM/SIGINT/SIGHUP listeners (the launcher ends the
 * other ranks with SIGTERM when one fails) unlink the name, then the signal is raised again so the
 * process dies as it would have. A SIGKILL inside a window can leave a name behind; it says which
 * job made it, and tsmpirun removes the job's names when the job ends.
 *
 * Unlinking goes through the file system (/dev/shm/<name>, which is what glibc's shm_unlink
 * removes) because the package's destroy() also unmaps the creator's own view.
 */
import { statfsSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";

/** The part of shm-typed-array this module uses (its POSIX API, keyed by a string name). */
export interface ShmModule {
  create(count: number, typeKey: "Buffer", key: string, perm?: string): Buffer | null;
  get(key: string, typeKey: "Buffer"): Buffer | null;
  detach(key: string, forceDestroy?: boolean): number;
}

let loaded: ShmModule | undefined;

/** The addon if some earlier `shmModule()` call has loaded it (for synchronous paths). */
export function loadedShmModule(): ShmModule | undefined {
  return loaded;
}

/**
 * Loaded on first use, so programs that never share memory never load the native addon. Required,
 * not imported: an import of a CommonJS package first has Node scan its source for export names,
 * which every rank of a host would pay at init.
 */
export async function shmModule(): Promise<ShmModule> {
  loaded ??= createRequire(import.meta.url)("shm-typed-array") as ShmModule;
  return loaded;
}

export const SHM_DIR = "/dev/shm";

/**
 * Whether /dev/shm has `bytes` free. Segments are sparse (ftruncate), and touching a page that a full
 * tmpfs cannot back raises SIGBUS, so callers ask before creating one with room to spare.
 */
export function shmHasRoomFor(bytes: number): boolean {
  try {
    const stats = statfsSync(SHM_DIR);
    return stats.bavail * stats.bsize >= bytes;
  } catch {
    return false;
  }
}

/** Creates segment `name` of `bytes` bytes (zero-filled by ftruncate); `undefined` if the name exists. */
export function createSegment(shm: ShmModule, name: string, bytes: number): Buffer | undefined {
  // The package refuses a zero-length segment; an empty array maps one spare byte.
  return shm.create(Math.max(1, bytes), "Buffer", name, "600") ?? undefined;
}

/** Maps an existing segment; `undefined` if there is none by that name. */
export function attachSegment(shm: ShmModule, name: string): Buffer | undefined {
  return shm.get(name, "Buffer") ?? undefined;
}

/** Unmaps this process's view; the memory stays for the others. Never use the view afterwards. */
export function detachSegment(shm: ShmModule, name: string): void {
  shm.detach(name, false);
}

/** Removes the name; mappings stay valid. Idempotent. */
export function unlinkSegment(name: string): void {
  try {
    unlinkSync(`${SHM_DIR}${name}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/**
 * Unlinks `name` if the process ends before `disarm()` is called (see the module comment).
 * Returns `disarm`.
 */
export function unlinkOnEnd(name: string): () => void {
  const onExit = (): void => unlinkSegment(name);
  const onSignal = (signal: NodeJS.Signals): void => {
    disarm();
    try {
      unlinkSegment(name);
    } finally {
      // Our listener replaced the default action; with it gone, the signal ends the process.
      process.kill(process.pid, signal);
    }
  };
  const disarm = (): void => {
    process.removeListener("exit", onExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  process.on("exit", onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return disarm;
}
