const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Cuts a byte stream into whole lines, so lines of different ranks never interleave mid-line.
 * Works on bytes, not strings: a chunk boundary may fall inside a multi-byte UTF-8 character.
 * Complete lines arriving in one chunk are emitted together as one block (each ending in "\n").
 * A "\r" also ends a piece, without a newline being added, so that a progress bar that redraws
 * its line in place reaches the terminal as it is drawn.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /**
   * @param emit receives blocks of complete lines.
   * @param maxLineBytes a longer line without "\n" is emitted in pieces of this size, so a rank
   *   writing one endless line cannot grow the launcher's memory without bound.
   */
  constructor(
    private readonly emit: (lines: Buffer) => void,
    private readonly maxLineBytes = 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    const lastNewline = Math.max(chunk.lastIndexOf(NEWLINE), chunk.lastIndexOf(CARRIAGE_RETURN));
    if (lastNewline === -1) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes >= this.maxLineBytes) this.flush();
      return;
    }
    const complete = chunk.subarray(0, lastNewline + 1);
    const rest = chunk.subarray(lastNewline + 1);
    this.emit(this.pending.length > 0 ? Buffer.concat([...this.pending, complete]) : complete);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
  }

  /** Emits an unterminated last line, with a "\n" added (at the end of the stream). */
  flush(): void {
    if (this.pendingBytes === 0) return;
    this.emit(Buffer.concat([...this.pending, Buffer.from("\n")]));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
