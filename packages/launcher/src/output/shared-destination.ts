import type { Writable } from "node:stream";

/**
 * A rank holding a destination in the middle of a long line that has not sent more of it for
 * this long, while other ranks wait, has its line ended by the launcher ("\n") so that they can go
 * on: a rank may be waiting for one of them (a collective) before it ends its line, and they
 * may be blocked writing their output (stdout is blocking in ranks).
 */
export const IDLE_HOLD_MS = 1000;

/** One rank's stream writing to a shared destination (route.ts). */
export interface DestinationUser {
  /** The destination is free for this user again: write what waited. */
  takeTurn(): void;
  /** The user held the destination mid-line for too long: end the line ("\n") and let go. */
  breakLine(): void;
}

/**
 * A destination stream (tsmpirun's stdout or stderr, a rank's output file) shared by the streams
 * of several ranks. Blocks of whole lines need nothing; a rank streaming a long line in pieces
 * holds the destination from its first piece to the end of the line, and the other ranks' output
 * waits (their pipes paused) so that lines never interleave.
 */
export class SharedDestination {
  #owner: DestinationUser | undefined;
  #lastWriteMs = 0;
  readonly #waiting: DestinationUser[] = [];
  #waking = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly stream: Writable) {}

  /** Whether `user` may write now (nobody holds the destination, or `user` does). */
  mayWrite(user: DestinationUser): boolean {
    return this.#owner === undefined || this.#owner === user;
  }

  /** Called after `user` wrote a block: it holds the destination unless the block ended a line. */
  wrote(user: DestinationUser, endsLine: boolean): void {
    this.#lastWriteMs = Date.now();
    if (!endsLine) {
      this.#owner = user;
      return;
    }
    if (this.#owner !== user) return;
    this.#owner = undefined;
    this.#wake();
  }

  /** `user` has output waiting: its takeTurn() is called once the destination is free. */
  wait(user: DestinationUser): void {
    if (!this.#waiting.includes(user)) this.#waiting.push(user);
    this.#armIdleCheck();
  }

  /** `user` holds no more (its line was ended for it). */
  letGo(user: DestinationUser): void {
    if (this.#owner !== user) return;
    this.#owner = undefined;
    this.#wake();
  }

  #wake(): void {
    if (this.#waking) return;
    this.#waking = true;
    try {
      while (this.#owner === undefined && this.#waiting.length > 0) this.#waiting.shift()!.takeTurn();
    } finally {
      this.#waking = false;
    }
    if (this.#waiting.length > 0) this.#armIdleCheck();
  }

  #armIdleCheck(): void {
    if (this.#timer !== undefined || this.#owner === undefined) return;
    const check = (): void => {
      this.#timer = undefined;
      const owner = this.#owner;
      if (owner === undefined || this.#waiting.length === 0) return;
      // A full destination is a slow reader, not an idle rank: nobody may write anyway.
      const idleMs = Date.now() - this.#lastWriteMs;
      if (this.stream.writableNeedDrain || idleMs < IDLE_HOLD_MS) {
        this.#timer = setTimeout(check, Math.max(IDLE_HOLD_MS - idleMs, 50));
        this.#timer.unref();
        return;
      }
      owner.breakLine();
    };
    this.#timer = setTimeout(check, IDLE_HOLD_MS);
    this.#timer.unref();
  }
}

const destinations = new WeakMap<Writable, SharedDestination>();

/** The one SharedDestination of `stream`, for every rank (and every job of this process) writing to it. */
export function sharedDestination(stream: Writable): SharedDestination {
  let destination = destinations.get(stream);
  if (destination === undefined) {
    destination = new SharedDestination(stream);
    destinations.set(stream, destination);
  }
  return destination;
}

/** The launcher's own lines to a destination the ranks share: written at once, or once a rank's long line in progress has ended. */
class LauncherLines implements DestinationUser {
  readonly #queue: string[] = [];

  constructor(private readonly destination: SharedDestination) {}

  offer(text: string): void {
    this.#queue.push(text);
    this.takeTurn();
  }

  takeTurn(): void {
    while (this.#queue.length > 0 && this.destination.mayWrite(this)) {
      const stream = this.destination.stream;
      const text = this.#queue.shift()!;
      if (!stream.destroyed && !stream.writableEnded) stream.write(text);
    }
    if (this.#queue.length > 0) this.destination.wait(this);
  }

  breakLine(): void {
    // Never holds the destination: its lines are whole.
  }
}

const launcherLines = new WeakMap<Writable, LauncherLines>();

/**
 * Writes whole lines of the launcher's own (`tsmpirun: ...`) to tsmpirun's stdout or stderr,
 * never into the middle of a rank's long line being forwarded there.
 */
export function writeLauncherLines(stream: Writable, text: string): void {
  let lines = launcherLines.get(stream);
  if (lines === undefined) {
    lines = new LauncherLines(sharedDestination(stream));
    launcherLines.set(stream, lines);
  }
  lines.offer(text);
}
