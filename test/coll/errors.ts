import type { JobResult } from "@tsmpi/launcher";
import { stdoutLines } from "../helpers/jobs.ts";

/** The error codes that coll-errors.ts ranks printed before failing. */
export function codes(result: JobResult): string[] {
  return stdoutLines(result)
    .filter((line) => line.startsWith("{"))
    .map((line) => (JSON.parse(line) as { code: string }).code);
}
