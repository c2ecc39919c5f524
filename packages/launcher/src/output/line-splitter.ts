const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Cuts a byte stream into whole lines, so lines of different ranks never interleave mid-line.
 * Works on bytes, not strings: a chunk boundary may fall inside a multi-byte UTF-8 character.
 * Complete lines arriving in one chunk are emitted together as one block (each ending in "\n").
 * A "\r" also ends a piece, without a newline being added, so that a progress bar that redraws
 * its line in place reaches the terminal as it is drawn.
 *
 * A line longer than `maxLineBytes` is not held whole (a rank writing one endless line must not
 * grow the launcher's memory without bound): it is emitted in pieces as it arrives, each but the
 * last with `endsLine` false. The receiver keeps it one line (route.ts: no prefix on the
 * continuation pieces, and no other rank's output on that stream until the line ends).
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Pieces of the current line were already emitted: the line must still be ended. */
  private inLine = false;

  /**
   * @param emit receives blocks of output; `endsLine` is true when the block ends at a line end
   *   ("\n" or "\r"), false for a piece of a long line that goes on.
   * @param maxLineBytes unterminated bytes held before they are emitted as a piece.
   */
  constructor(
    private readonly emit: (block: Buffer, endsLine: boolean) => void,
    private readonly maxLineBytes = 1024 * 1024,
  ) {}

  /** Whether a long line was emitted in part and not yet ended. */
  get midLine(): boolean {
    return this.inLine;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const lastEnd = Math.max(chunk.lastIndexOf(NEWLINE), chunk.lastIndexOf(CARRIAGE_RETURN));
    if (lastEnd !== -1) {
      const complete = chunk.subarray(0, lastEnd + 1);
      this.emit(this.pending.length > 0 ? Buffer.concat([...this.pending, complete]) : complete, true);
      this.inLine = false;
      const rest = chunk.subarray(lastEnd + 1);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    } else {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    if (this.pendingBytes >= this.maxLineBytes) {
      const piece = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      this.inLine = true;
      this.emit(piece, false);
    }
  }

  /** Ends an unterminated last line with a "\n" (at the end of the stream). */
  flush(): void {
    if (this.pendingBytes === 0 && !this.inLine) return;
    const last = Buffer.concat([...this.pending, Buffer.from("\n")]);
    this.pending = [];
    this.pendingBytes = 0;
    this.inLine = false;
    this.emit(last, true);
  }
}
