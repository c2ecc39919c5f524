import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";

/** `dir/rank.R/stdout` and `dir/rank.R/stderr`, like Open MPI's --output-filename. */
export interface RankOutputFiles {
  stdout: WriteStream;
  stderr: WriteStream;
  close(): Promise<void>;
}

export function openRankOutputFiles(dir: string, rank: number): RankOutputFiles {
  const rankDir = join(dir, `rank.${rank}`);
  mkdirSync(rankDir, { recursive: true });
  const stdout = createWriteStream(join(rankDir, "stdout"));
  const stderr = createWriteStream(join(rankDir, "stderr"));
  return {
    stdout,
    stderr,
    async close() {
      stdout.end();
      stderr.end();
      await Promise.all([finished(stdout), finished(stderr)]);
    },
  };
}
