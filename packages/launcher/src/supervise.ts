import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { RendezvousServer, type RankCommTrace, type RendezvousBinding } from "@tsmpi/runtime/internal/wireup";
import type { RankTraceInput } from "./comm-trace/merge.ts";
import type { RankChild, RankHost } from "./hosts/rank-host.ts";
import { RankOutput } from "./output/route.ts";
import { writeLauncherLines } from "./output/shared-destination.ts";
import { describeExit, isFailure, type ExitStatus } from "./procs/exit-status.ts";
import type { Placement } from "./procs/binding.ts";
import type { RankLaunchSpec } from "./procs/spawn.ts";
import { judgeJob, type EndReason, type JobVerdict } from "./report.ts";
import type { RankResult } from "./types.ts";
import { trace } from "./trace.ts";
import { exitedWithoutFinalize } from "./exit-without-finalize.ts";
import { HOST_LOST_EXIT_CODE } from "./hosts/agent-host.ts";
import type { ResolvedLaunchOptions } from "./validate-options.ts";
import { StateReporter, type RankStanding } from "./state-report.ts";

/** How long output pipes may stay open after all ranks exited (a grandchild may hold them). */
const PIPE_DRAIN_MS = 1000;
/** Time for `error`/`abort` messages a failed rank sent just before dying to reach the rendezvous. */
const LATE_REPORT_MS = 100;
/** Wire-up that takes longer than this is reported, naming the ranks it waits for. */
const WIREUP_PROGRESS_MS = 10_000;
const STDERR_TAIL_LINES = 20;

interface RankState {
  rank: number;
  host: RankHost;
  child: RankChild;
  output: RankOutput;
  exited: Promise<ExitStatus>;
  status: ExitStatus | undefined;
  endedByLauncher: boolean;
  error: { message: string; stack: string } | undefined;
}

export interface SupervisedJob {
  ranks: RankResult[];
  timedOut: boolean;
  verdict: JobVerdict;
  /** With `--trace`: each rank's host and the trace it sent (undefined if it sent none); else empty. */
  traces: RankTraceInput[];
}

/** The hosts of a job, each with the world ranks it runs (in rank order). */
export interface JobHosts {
  hosts: { host: RankHost; ranks: number[] }[];
}

/**
 * Runs the ranks of one job until every one has exited: serves the rendezvous, routes output,
 * and ends the whole job on the first failure, abort, timeout or cancellation.
 */
export async function superviseJob(
  job: ResolvedLaunchOptions,
  context: {
    jobId: string;
    jobDir: string;
    bundle: string;
    placement: Placement;
    rendezvous: RendezvousBinding;
    /** Makes the job's hosts once the rendezvous listens (agents need its port). */
    hosts: (server: RendezvousServer) => JobHosts;
  },
): Promise<SupervisedJob> {
  const ranks: RankState[] = [];
  const terminations: Promise<void>[] = [];
  let endReason: EndReason | undefined;
  let jobHosts: JobHosts | undefined;

  const endJob = (reason: EndReason): void => {
    if (endReason !== undefined) return;
    endReason = reason;
    for (const state of ranks) if (state.status === undefined) state.endedByLauncher = true;
    for (const { host } of jobHosts?.hosts ?? []) terminations.push(host.endAll(job.killGraceMs));
  };

  const protocolErrors: string[] = [];
  let reporter: StateReporter | undefined;
  const traces = new Map<number, RankCommTrace>();
  const server = await RendezvousServer.start({
    size: job.np,
    bind: context.rendezvous,
    events: {
      trace,
      onRefused: (address) => {
        const line = `tsmpirun: refused a connection to the rendezvous from ${address}: it did not present this job's key`;
        writeLauncherLines(process.stderr, `${line}\n`);
      },
      onHandshakeFailed: () => {
        const line = "tsmpirun: refused a connection to the rendezvous: the client failed the CURVE handshake (it does not know this job's key)";
        writeLauncherLines(process.stderr, `${line}\n`);
      },
      onAbort: (rank, code, reason) => endJob({ kind: "abort", rank, code, reason }),
      onError: (rank, error) => {
        const state = ranks[rank];
        if (state) state.error = error;
      },
      onStall: (rank) => endJob({ kind: "wireup-stall", rank }),
      onProtocolError: (detail) => protocolErrors.push(detail),
      onState: (rank, request, state) => reporter?.answer(rank, request, state),
      onTrace: (rank, _host, trace) => {
        if (job.traceFile !== undefined) traces.set(rank, trace);
      },
    },
  });
  reporter = new StateReporter(server);

  const routing = {
    tagOutput: job.tagOutput,
    timestampOutput: job.timestampOutput,
    outputDir: job.outputDir,
    forwardTo: job.forwardOutput ? { stdout: process.stdout, stderr: process.stderr } : undefined,
    capture: job.captureOutput,
  };

  jobHosts = context.hosts(server);
  const stateOf: RankState[] = [];
  for (const { host, ranks: hostRanks } of jobHosts.hosts) {
    const specs: RankLaunchSpec[] = hostRanks.map((rank) => ({
      rank,
      size: job.np,
      jobId: context.jobId,
      jobDir: context.jobDir,
      rendezvous: server.endpoint,
      transport: job.transport,
      bundle: context.bundle,
      args: job.args,
      cwd: job.cwd,
      extraEnv: job.env,
      withStdin: rank === 0 && job.stdin !== undefined,
      stdoutTty: job.forwardOutput && job.outputDir === undefined && process.stdout.isTTY === true,
      cpu: context.placement.cpus[rank],
    }));
    host.start(specs).forEach((child, index) => {
      const rank = hostRanks[index]!;
      const output = new RankOutput(rank, routing);
      output.attach(child.stdout, child.stderr);
      const state: RankState = {
        rank,
        host,
        child,
        output,
        exited: exitOf(child),
        status: undefined,
        endedByLauncher: false,
        error: undefined,
      };
      stateOf[rank] = state;
      void state.exited.then((status) => {
        state.status = status;
        if (isFailure(status) && !state.endedByLauncher) endJob({ kind: "rank-failed" });
        server.rankExited(rank);
        const early = exitedWithoutFinalize(rank, status, server, ranks);
        if (early && endReason === undefined) endJob({ kind: "exited-without-finalize", rank, hostname: host.hostname, pid: child.pid });
      });
    });
  }
  ranks.push(...stateOf);
  const progress = setInterval(() => {
    const waiting = server.waitingFor();
    if (waiting.length === 0 || endReason !== undefined) return clearInterval(progress);
    const names = waiting.map(({ rank, connected }) => `rank ${rank} on ${stateOf[rank]?.host.hostname ?? "?"}${connected ? "" : " (not connected)"}`);
    writeLauncherLines(process.stderr, `tsmpirun: wire-up: ${job.np - waiting.length} of ${job.np} ranks joined; waiting for ${names.join(", ")}\n`);
  }, WIREUP_PROGRESS_MS);
  progress.unref();
  trace(`spawned ${job.np} ranks`);
  const rank0 = ranks[0]?.child;
  if (rank0?.stdin) feedStdin(rank0.stdin, job.stdin);

  const standings = (): RankStanding[] => {
    const inWireup = new Set(server.waitingFor().map(({ rank }) => rank));
    return ranks.map((state) => ({
      rank: state.rank,
      hostname: state.host.hostname,
      exited: state.status === undefined ? undefined : describeExit(state.status),
      inWireup: inWireup.has(state.rank),
    }));
  };
  let timeoutReport: string | undefined;
  const timer =
    job.timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => {
          // What every rank is blocked in, asked before the ranks are ended (Open MPI's --report-state-on-timeout).
          void reporter.report(`state of the ranks after ${job.timeoutSeconds} s (--timeout):`, standings()).then((report) => {
            timeoutReport = report;
            const running = ranks.filter((state) => state.status === undefined).map((state) => state.rank);
            endJob({ kind: "timeout", seconds: job.timeoutSeconds ?? 0, running });
          });
        }, job.timeoutSeconds * 1000);
  const onStateRequest = (): void => {
    void reporter.report("state of the ranks (on request; the job goes on):", standings()).then((report) => writeLauncherLines(process.stderr, `${report}\n`));
  };
  job.stateRequests?.addEventListener("report", onStateRequest);
  const onCancel = (): void => {
    const reason: unknown = job.signal?.reason;
    endJob({ kind: "interrupted", signal: isSignalName(reason) ? reason : undefined });
  };
  if (job.signal?.aborted) onCancel();
  else job.signal?.addEventListener("abort", onCancel, { once: true });

  try {
    await Promise.all(ranks.map((state) => state.exited));
    trace("all ranks exited");
  } finally {
    clearTimeout(timer);
    job.signal?.removeEventListener("abort", onCancel);
    job.stateRequests?.removeEventListener("report", onStateRequest);
  }
  clearInterval(progress);
  await Promise.all(terminations);
  for (const { host } of jobHosts.hosts) host.killLeftovers();
  if (rank0?.stdin && isReadable(job.stdin)) job.stdin.unpipe(rank0.stdin);
  await drainOutput(ranks);
  if (ranks.some((state) => state.status && isFailure(state.status))) await delay(LATE_REPORT_MS);
  await server.close();

  const verdict = judgeJob(
    job.np,
    endReason,
    ranks.map((state) => ({
      rank: state.rank,
      hostname: state.host.hostname,
      lostWithHost: state.status?.exitCode === HOST_LOST_EXIT_CODE ? state.host.lostReason : undefined,
      pid: state.child.pid,
      status: state.status ?? { exitCode: null, signal: null },
      endedByLauncher: state.endedByLauncher,
      error: state.error,
      // Forwarded output is already on the terminal; repeating it would only add noise.
      stderrTail: job.forwardOutput && job.outputDir === undefined ? [] : state.output.lastStderrLines(STDERR_TAIL_LINES),
    })),
  );
  const hostFailures = jobHosts.hosts
    .filter(({ host }) => host.lostReason === undefined)
    .map(({ host }) => host.failure)
    .filter((failure): failure is string => failure !== undefined);
  if (hostFailures.length > 0) {
    const note = [...new Set(hostFailures)].map((failure) => `tsmpirun: ${failure}`).join("\n");
    verdict.failure = verdict.failure ? `${note}\n${verdict.failure}` : note;
    if (verdict.exitCode === 0) verdict.exitCode = 1;
  }
  if (timeoutReport !== undefined && endReason?.kind === "timeout") verdict.failure = verdict.failure ? `${verdict.failure}\n${timeoutReport}` : timeoutReport;
  if (protocolErrors.length > 0) {
    const note = protocolErrors.map((detail) => `tsmpirun: ${detail}`).join("\n");
    verdict.failure = verdict.failure ? `${verdict.failure}\n${note}` : note;
  }
  return {
    timedOut: endReason?.kind === "timeout",
    verdict,
    traces: job.traceFile === undefined ? [] : ranks.map((state) => ({ host: state.host.hostname, trace: traces.get(state.rank) })),
    ranks: ranks.map((state) => ({
      rank: state.rank,
      pid: state.child.pid,
      exitCode: state.status?.exitCode ?? null,
      signal: state.status?.signal ?? null,
      stdout: state.output.text("stdout"),
      stderr: state.output.text("stderr"),
      ...(state.error ? { error: state.error } : {}),
      endedByLauncher: state.endedByLauncher,
    })),
  };
}

/** Resolves once with how the process ended; a failed spawn counts as exit code 127, like a shell. */
function exitOf(child: RankChild): Promise<ExitStatus> {
  return new Promise((resolve) => {
    child.once("exit", (exitCode, signal) => resolve({ exitCode, signal }));
    child.once("error", (error) => {
      if (child.pid === undefined) {
        child.stderr?.destroy();
        child.stdout?.destroy();
        process.emitWarning(`tsmpirun: could not start a rank: ${error.message}`);
        resolve({ exitCode: 127, signal: null });
      }
    });
  });
}

function feedStdin(destination: NodeJS.WritableStream & { on(event: "error", listener: () => void): unknown }, input: ResolvedLaunchOptions["stdin"]): void {
  // Rank 0 may exit without reading its input: the broken pipe is not the job's failure.
  destination.on("error", () => undefined);
  if (input === undefined) return;
  if (typeof input === "string" || input instanceof Uint8Array) destination.end(input);
  else input.pipe(destination);
}

function isReadable(input: ResolvedLaunchOptions["stdin"]): input is NodeJS.ReadableStream {
  return typeof input === "object" && input !== null && !(input instanceof Uint8Array);
}

function isSignalName(value: unknown): value is NodeJS.Signals {
  return typeof value === "string" && /^SIG[A-Z0-9]+$/.test(value);
}

async function drainOutput(ranks: RankState[]): Promise<void> {
  const all = Promise.all(ranks.map((state) => state.output.finish()));
  const cancelTimer = new AbortController();
  // Cancelled once the pipes are done, so a pending timer does not hold the launcher open.
  const timer = delay(PIPE_DRAIN_MS, "timeout" as const, { signal: cancelTimer.signal }).catch(() => "cancelled" as const);
  let first = await Promise.race([all, timer]);
  // A slow reader is not a grandchild holding a pipe: wait for it, or output would be lost.
  while (first === "timeout" && ranks.some((state) => state.output.waitingForReader)) {
    first = await Promise.race([all, delay(PIPE_DRAIN_MS, "timeout" as const)]);
  }
  cancelTimer.abort();
  if (first === "timeout") {
    for (const state of ranks) state.output.abandon([state.child.stdout, state.child.stderr] as (Readable | null)[]);
    await all;
  }
}
