import type { Readable, Writable } from "node:stream";
import { LineSplitter } from "./line-splitter.ts";
import { linePrefixer, type LinePrefixer } from "./prefix.ts";
import { sharedDestination, type DestinationUser, type SharedDestination } from "./shared-destination.ts";
import { openRankOutputFiles, type RankOutputFiles } from "./to-files.ts";

export interface OutputRouting {
  tagOutput: boolean;
  timestampOutput: boolean;
  /** Write per-rank files here instead of forwarding. */
  outputDir: string | undefined;
  /** Forward lines to these streams (tsmpirun's own stdout/stderr); undefined: do not forward. */
  forwardTo: { stdout: Writable; stderr: Writable } | undefined;
  capture: boolean;
}

/** Bytes of stderr kept per rank for failure reports even when output is not captured. */
const STDERR_TAIL_BYTES = 16 * 1024;

/** Where one rank's stdout and stderr go: forwarded or to files as whole lines, and captured. */
export class RankOutput {
  private readonly captured = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  private stderrTail = Buffer.alloc(0);
  private readonly files: RankOutputFiles | undefined;
  private readonly ended: Promise<void>[] = [];
  private stalledOnReader = 0;

  constructor(
    private readonly rank: number,
    private readonly routing: OutputRouting,
  ) {
    this.files = routing.outputDir === undefined ? undefined : openRankOutputFiles(routing.outputDir, rank);
  }

  attach(stdout: Readable | null, stderr: Readable | null): void {
    if (stdout) this.ended.push(this.follow(stdout, "stdout"));
    if (stderr) this.ended.push(this.follow(stderr, "stderr"));
  }

  /** Resolves when both pipes have ended (the last partial lines flushed) and files are closed. */
  async finish(): Promise<void> {
    await Promise.all(this.ended);
    await this.files?.close();
  }

  /** Stops waiting for pipes that a leftover grandchild may hold open. */
  abandon(streams: (Readable | null)[]): void {
    for (const stream of streams) stream?.destroy();
  }

  /** Whether a pipe is paused until tsmpirun's reader takes what was forwarded. */
  get waitingForReader(): boolean {
    return this.stalledOnReader > 0;
  }

  text(which: "stdout" | "stderr"): string {
    return Buffer.concat(this.captured[which]).toString("utf8");
  }

  /** The last `count` lines the rank wrote to stderr. */
  lastStderrLines(count: number): string[] {
    const lines = this.stderrTail.toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-count);
  }

  private follow(stream: Readable, which: "stdout" | "stderr"): Promise<void> {
    const destination = this.files?.[which] ?? this.routing.forwardTo?.[which];
    const onData = (chunk: Buffer): void => {
      if (this.routing.capture) this.captured[which].push(chunk);
      if (which === "stderr") this.keepTail(chunk);
    };
    if (destination === undefined) {
      stream.on("data", onData);
      return new Promise((resolve) => stream.once("close", () => resolve()));
    }
    const forward = new ForwardedStream(stream, sharedDestination(destination), this.rank, this.routing, (stalled) => {
      this.stalledOnReader += stalled ? 1 : -1;
    });
    stream.on("data", (chunk: Buffer) => {
      onData(chunk);
      forward.push(chunk);
    });
    // 'close' also follows destroy() (abandon) and errors, where 'end' does not.
    return new Promise((resolve) => stream.once("close", () => forward.end(resolve)));
  }

  private keepTail(chunk: Buffer): void {
    const joined = Buffer.concat([this.stderrTail, chunk]);
    this.stderrTail = joined.length > STDERR_TAIL_BYTES ? joined.subarray(joined.length - STDERR_TAIL_BYTES) : joined;
  }
}

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
class ForwardedStream implements DestinationUser {
  readonly #splitter: LineSplitter;
  readonly #prefix: LinePrefixer | undefined;
  /** Blocks waiting for the destination to be free. */
  readonly #waiting: { block: Buffer; endsLine: boolean }[] = [];
  #awaitingDrain = false;
  #paused = false;
  /** The launcher ended this stream's line for it: the next block starts a new line. */
  #lineBroken = false;
  #ended: (() => void) | undefined;

  constructor(
    private readonly source: Readable,
    private readonly destination: SharedDestination,
    rank: number,
    routing: OutputRouting,
    private readonly onStalled: (stalled: boolean) => void,
  ) {
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
    const hold = this.#awaitingDrain || this.#waiting.length > 0;
    if (hold && !this.#paused) {
      this.#paused = true;
      this.source.pause();
    } else if (!hold && this.#paused) {
      this.#paused = false;
      this.source.resume();
    }
  }
}
