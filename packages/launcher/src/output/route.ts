import type { Readable, Writable } from "node:stream";
import { ForwardedStream } from "./forwarded-stream.ts";
import { sharedDestination } from "./shared-destination.ts";
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
