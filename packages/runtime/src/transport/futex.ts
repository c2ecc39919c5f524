/**
 * The runtime's own small addon (native/futex.c, built at install by node-gyp from binding.gyp):
 * futex wait and wake on a word of shared memory, across processes. A receiver of the same-host
 * transport sleeps in it briefly instead of going through its socket, and a sender wakes it
 * directly: no ZeroMQ thread between them; the ranks of a shared-memory collective sleep in it on
 * their meeting's generation word (coll/meeting-wait.ts). Optional: where it was not built (no
 * compiler at install, pnpm not allowed to run the runtime's build script, not Linux) every wake-up
 * takes the socket, as before, and meetings wake sleepers with messages; `TSMPI_FUTEX=0` turns it
 * off.
 * Internal to the runtime, not part of its API.
 */
import { createRequire } from "node:module";

/** What futex.c exports. */
export interface Futex {
  /** Sleeps while `words[index] === expected`, at most `timeoutUs`: 0 woken, 1 timed out, 2 not `expected`. */
  wait(words: Int32Array, index: number, expected: number, timeoutUs: number): 0 | 1 | 2;
  /** Wakes up to `count` waiters on `words[index]`; how many it woke. */
  wake(words: Int32Array, index: number, count: number): number;
  /** Gives this process's core to another runnable one, if any (sched_yield). */
  yield(): void;
}

let loaded: Futex | null | undefined;

/** The addon, or `undefined` where it is not built or turned off. */
export function futex(): Futex | undefined {
  if (loaded === undefined) {
    loaded = null;
    if (process.env.TSMPI_FUTEX !== "0" && process.platform === "linux") {
      try {
        // Two levels below the package root, from src/transport as from dist/transport.
        loaded = createRequire(import.meta.url)("../../build/Release/tsmpi_futex.node") as Futex;
      } catch {
        loaded = null;
      }
    }
  }
  return loaded ?? undefined;
}
