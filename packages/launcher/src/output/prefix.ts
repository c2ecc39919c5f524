const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface PrefixOptions {
  rank: number;
  tagOutput: boolean;
  timestampOutput: boolean;
}

/**
 * Returns a function that prefixes every line of a block with `<ISO timestamp> ` and/or
 * `[rank] ` (in that order), or undefined when no prefix is asked for. The timestamp is the
 * time the launcher received the block: the ranks do not send one.
 *
 * The function keeps state between blocks of one stream: a block that continues a line (the
 * previous one did not end in "\n" or "\r") gets no prefix before its first bytes, and a "\n"
 * completing a "\r\n" cut between two blocks gets none either.
 */
export interface LinePrefixer {
  (block: Buffer): Buffer;
  /** The next block starts a new line (the launcher ended the current one itself). */
  newLine(): void;
}

export function linePrefixer(options: PrefixOptions): LinePrefixer | undefined {
  if (!options.tagOutput && !options.timestampOutput) return undefined;
  const tag = options.tagOutput ? `[${options.rank}] ` : "";
  let atLineStart = true;
  let afterCarriageReturn = false;
  const apply = (block: Buffer): Buffer => {
    if (block.length === 0) return block;
    const prefix = Buffer.from((options.timestampOutput ? `${new Date().toISOString()} ` : "") + tag);
    const parts: Buffer[] = [];
    // Next positions of each line end, searched again only once passed (a block of many short
    // lines must not be scanned to its end for every line).
    let newline = -2;
    let carriageReturn = -2;
    let start = 0;
    while (start < block.length) {
      if (atLineStart && !(afterCarriageReturn && block[start] === NEWLINE)) parts.push(prefix);
      if (newline !== -1 && newline < start) newline = block.indexOf(NEWLINE, start);
      if (carriageReturn !== -1 && carriageReturn < start) carriageReturn = block.indexOf(CARRIAGE_RETURN, start);
      const stop = carriageReturn === -1 ? newline : newline === -1 ? carriageReturn : Math.min(newline, carriageReturn);
      if (stop === -1) {
        parts.push(block.subarray(start));
        atLineStart = false;
        afterCarriageReturn = false;
        break;
      }
      // "\r\n" is one line end.
      const end = block[stop] === CARRIAGE_RETURN && block[stop + 1] === NEWLINE ? stop + 2 : stop + 1;
      parts.push(block.subarray(start, end));
      atLineStart = true;
      afterCarriageReturn = block[end - 1] === CARRIAGE_RETURN;
      start = end;
    }
    return Buffer.concat(parts);
  };
  return Object.assign(apply, {
    newLine() {
      atLineStart = true;
      afterCarriageReturn = false;
    },
  });
}
