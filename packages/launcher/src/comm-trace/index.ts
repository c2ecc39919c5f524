/**
 * `--trace FILE` at the end of a job: merge what the ranks sent and write FILE, also for a job that
 * failed (with the ranks that sent theirs). Never throws: a trace that cannot be written is news
 * for the job's result, not a reason to lose it.
 */
import { mergeCommTraces, type RankTraceInput } from "./merge.ts";
import { writeTraceFile } from "./write.ts";

/** What became of the trace; `JobResult.trace`. */
export interface WrittenTrace {
  file: string;
  /** Events in the file (metadata, slices and flow ends); 0 when it could not be written. */
  events: number;
  /** Why the file could not be written. */
  error?: string;
  /** Ranks that sent no trace (they ended before leaving the job in order). */
  ranksWithoutTrace: number[];
}

export async function writeCommTrace(file: string, ranks: readonly RankTraceInput[], about: Record<string, unknown>): Promise<WrittenTrace> {
  const merged = mergeCommTraces(ranks);
  try {
    await writeTraceFile(file, merged, about);
    return { file, events: merged.events.length, ranksWithoutTrace: merged.missing };
  } catch (error) {
    return { file, events: 0, error: (error as Error).message, ranksWithoutTrace: merged.missing };
  }
}
