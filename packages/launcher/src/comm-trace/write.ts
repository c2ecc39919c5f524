/**
 * Writes a merged communication trace as one Trace Event Format JSON object
 * (`{"traceEvents": [...], "displayTimeUnit": "ms", ...}`), event by event: a long job's trace can
 * be larger than one JavaScript string may be.
 */
import { open } from "node:fs/promises";
import type { MergedTrace } from "./merge.ts";

/** Characters gathered before each write (a few hundred kilobytes to a megabyte). */
const CHUNK_CHARS = 1 << 20;

export async function writeTraceFile(file: string, merged: MergedTrace, about: Record<string, unknown>): Promise<void> {
  const handle = await open(file, "w");
  try {
    let chunk = '{"traceEvents":[\n';
    for (const [index, event] of merged.events.entries()) {
      chunk += (index === 0 ? "" : ",\n") + JSON.stringify(event);
      if (chunk.length >= CHUNK_CHARS) {
        await handle.write(chunk);
        chunk = "";
      }
    }
    const otherData = { ...about, ranksWithoutTrace: merged.missing, droppedRecords: merged.dropped, unmatchedSends: merged.unmatchedSends };
    chunk += `\n],\n"displayTimeUnit":"ms",\n"otherData":${JSON.stringify(otherData)}}\n`;
    await handle.write(chunk);
  } finally {
    await handle.close();
  }
}
