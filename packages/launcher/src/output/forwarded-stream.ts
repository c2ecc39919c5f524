/**
 * One rank's stdout or stderr forwarded by tsmpirun to its own, as whole lines (output/route.ts
 * decides where each pipe goes).
 */
import type { Readable, Writable } from "node:stream";
import { HeldSource } from "./held-source.ts";
import { LineSplitter } from "./line-splitter.ts";
import { linePrefixer, type LinePrefixer } from "./prefix.ts";
import type { DestinationUser, SharedDestination } from "./shared-destination.ts";

/**
 * A reader that went away (`tsmpirun ... | head`) must not end or crash the job. Returns false
 * while the destination's buffer is full (wait for 'drain').
 */
function writeQuietly(destination: Writable, data: Buffer): boolean {
  if (destination.destroyed || destination.writableEnded) return true;
  return destination.write(data);
}

/**
 * One rank's stdout or stderr forwarded to a destination as whole lines. A long line is streamed
 * through in pieces (the first prefixed, the others not) while this stream holds the destination;
 * output that must wait for another rank's line to end waits here with the rank's pipe paused.
 * A slow reader of the destination slows the rank down (its pipe fills and its writes block), as
 * a plain pipe would, instead of the launcher buffering without bound.
 */
export class ForwardedStream implements DestinationUser {
  readonly #splitter: LineSplitter;
  readonly #prefix: LinePrefixer | undefined;
  /** Blocks waiting for the destination to be free. */
  readonly #waiting: { block: Buffer; endsLine: boolean }[] = [];
  #awaitingDrain = false;
  readonly #source: HeldSource;
  /** The launcher ended this stream's line for it: the next block starts a new line. */
  #lineBroken = false;
  #ended: (() => void) | undefined;

  constructor(
    source: Readable,
    private readonly destination: SharedDestination,
    rank: number,
    routing: { tagOutput: boolean; timestampOutput: boolean },
    private readonly onStalled: (stalled: boolean) => void,
  ) {
    this.#source = new HeldSource(source);
    this.#prefix = linePrefixer({ rank, tagOutput: routing.tagOutput, timestampOutput: routing.timestampOutput });
    this.#splitter = new LineSplitter((block, endsLine) => this.#offer(block, endsLine));
  }

  push(chunk: Buffer): void {
    this.#splitter.push(chunk);
    this.#settle();
  }

  /** The source closed: ends a partial line ("\n"), then calls `done` once all was written. */
  end(done: () => void): void {
    this.#splitter.flush();
    this.#ended = done;
    this.#settle();
  }

  takeTurn(): void {
    while (this.#waiting.length > 0 && this.destination.mayWrite(this)) {
      const { block, endsLine } = this.#waiting.shift()!;
      this.#write(block, endsLine);
    }
    if (this.#waiting.length > 0) this.destination.wait(this);
    this.#settle();
  }

  breakLine(): void {
    this.#writeRaw(Buffer.from("\n"));
    this.#lineBroken = true;
    this.destination.letGo(this);
  }

  #offer(block: Buffer, endsLine: boolean): void {
    if (this.#waiting.length > 0 || !this.destination.mayWrite(this)) {
      this.#waiting.push({ block, endsLine });
      this.destination.wait(this);
      return;
    }
    this.#write(block, endsLine);
  }

  #write(block: Buffer, endsLine: boolean): void {
    if (this.#lineBroken) {
      this.#lineBroken = false;
      this.#prefix?.newLine();
    }
    this.#writeRaw(this.#prefix ? this.#prefix(block) : block);
    this.destination.wrote(this, endsLine);
  }

  #writeRaw(data: Buffer): void {
    if (writeQuietly(this.destination.stream, data) || this.#awaitingDrain) return;
    this.#awaitingDrain = true;
    this.onStalled(true);
    const stream = this.destination.stream;
    const resume = (): void => {
      stream.off("drain", resume);
      stream.off("close", resume);
      this.#awaitingDrain = false;
      this.onStalled(false);
      this.#settle();
    };
    // A reader that goes away ends the wait too: what follows is dropped, the rank goes on.
    stream.on("drain", resume);
    stream.on("close", resume);
  }

  /** Pauses the rank's pipe while output waits (for the reader or for another rank's line), else reads on. */
  #settle(): void {
    if (this.#waiting.length === 0 && this.#ended !== undefined) {
      const done = this.#ended;
      this.#ended = undefined;
      done();
      return;
    }
    this.#source.hold(this.#awaitingDrain || this.#waiting.length > 0);
  }
}
