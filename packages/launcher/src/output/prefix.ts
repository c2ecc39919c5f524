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
 */
export function linePrefixer(options: PrefixOptions): ((lines: Buffer) => Buffer) | undefined {
  if (!options.tagOutput && !options.timestampOutput) return undefined;
  const tag = options.tagOutput ? `[${options.rank}] ` : "";
  return (lines) => {
    const prefix = Buffer.from((options.timestampOutput ? `${new Date().toISOString()} ` : "") + tag);
    const parts: Buffer[] = [];
    let start = 0;
    while (start < lines.length) {
      const newline = lines.indexOf(NEWLINE, start);
      const carriageReturn = lines.indexOf(CARRIAGE_RETURN, start);
      const stop = carriageReturn !== -1 && (newline === -1 || carriageReturn < newline - 1) ? carriageReturn : newline;
      const end = stop === -1 ? lines.length : stop + 1;
      parts.push(prefix, lines.subarray(start, end));
      start = end;
    }
    return Buffer.concat(parts);
  };
}
