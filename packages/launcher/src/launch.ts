import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { bundlePath, bundleProgramCached, PROGRAM_EXTENSIONS } from "./bundle/bundle.ts";
import { localHost } from "./hosts/local.ts";
import { placeRanks } from "./procs/binding.ts";
import { localCapacity } from "./procs/capacity.ts";
import { removeJobSegments } from "./shared-segments.ts";
import { createJobDir } from "./job-dir.ts";
import { superviseJob } from "./supervise.ts";
import { trace } from "./trace.ts";
import type { JobResult, LaunchOptions } from "./types.ts";
import { validateLaunchOptions } from "./validate-options.ts";

/**
 * Starts `np` ranks of `program` and resolves when all have exited, with how each ended.
 * Resolves for failed jobs too (see `JobResult.exitCode` and `failure`); rejects only when the
 * options themselves are invalid (TypeError / RangeError).
 */
export async function launch(options: LaunchOptions): Promise<JobResult> {
  const job = validateLaunchOptions(options);
  const startedAt = performance.now();
  trace("launch() called");
  const placement = placeRanks(job.np, { bindTo: job.bindTo, mapBy: job.mapBy });
  const jobId = randomBytes(8).toString("hex");
  const finish = (fields: Pick<JobResult, "exitCode" | "ranks" | "timedOut" | "failure">): JobResult => ({
    jobId,
    ...fields,
    placement,
    durationMs: performance.now() - startedAt,
  });
  const notStarted = (failure: string): JobResult => finish({ exitCode: 1, ranks: [], timedOut: false, failure });

  const capacity = localCapacity();
  if (job.np > capacity.ranks) {
    return notStarted(
      `tsmpirun: ${job.np} ranks cannot start on this host, which has room for about ${capacity.ranks} (${capacity.limitedBy}); no ranks were started`,
    );
  }

  const program = resolve(job.cwd, job.program);
  const found = await stat(program).catch(() => undefined);
  if (!found?.isFile()) {
    return notStarted(
      `tsmpirun: cannot find the program "${job.program}" (looked for ${program}); no ranks were started`,
    );
  }
  if (!(PROGRAM_EXTENSIONS as readonly string[]).includes(extname(program))) {
    return notStarted(
      `tsmpirun: "${job.program}" is not a TypeScript or JavaScript program (expected ${PROGRAM_EXTENSIONS.join(", ")}); no ranks were started`,
    );
  }

  const jobDir = createJobDir();
  try {
    const bundled = await bundleProgramCached(program, bundlePath(jobDir.path));
    if (!bundled.ok) {
      return notStarted(`tsmpirun: could not bundle ${job.program}; no ranks were started\n${bundled.diagnostics}`);
    }
    if (job.reportBindings) reportBindings(placement);
    const supervised = await superviseJob(job, { host: localHost, jobId, jobDir: jobDir.path, bundle: bundled.file, placement });
    return finish({
      exitCode: supervised.verdict.exitCode,
      ranks: supervised.ranks,
      timedOut: supervised.timedOut,
      failure: supervised.verdict.failure,
    });
  } finally {
    await Promise.all([jobDir.remove(), removeJobSegments(jobId)]);
  }
}

/** mpirun --report-bindings: one line per rank, before the ranks start. */
function reportBindings(placement: ReturnType<typeof placeRanks>): void {
  const lines = placement.cpus.map((cpu, rank) =>
    `tsmpirun: rank ${rank} ${cpu === undefined ? "not bound" : `bound to cpu ${cpu}`} (--bind-to ${placement.bindTo} --map-by ${placement.mapBy}; ${placement.reason})\n`,
  );
  process.stderr.write(lines.join(""));
}
