import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { encodeJobKey, newJobKey, type RendezvousBinding } from "@tsmpi/runtime/internal/wireup";
import { bundlePath, bundleProgramCached } from "./bundle/bundle.ts";
import { findProgram } from "./find-program.ts";
import { AgentHost, type AgentJobTemplate } from "./hosts/agent-host.ts";
import { interfaceAddress } from "./hosts/interfaces.ts";
import { isThisHost } from "./hosts/this-host.ts";
import { LocalRanks } from "./hosts/local-ranks.ts";
import { startLocalAgent } from "./hosts/local-agent.ts";
import { startAgentOverSsh } from "./hosts/ssh.ts";
import { isSrunNoise, startAgentWithSrun } from "./hosts/srun.ts";
import { placeRanks } from "./procs/binding.ts";
import { localCapacity } from "./procs/capacity.ts";
import { mapRanksToHosts } from "./procs/map-hosts.ts";
import { removeJobSegments } from "./shared-segments.ts";
import { createJobDir } from "./job-dir.ts";
import { superviseJob, type JobHosts } from "./supervise.ts";
import { writeCommTrace } from "./comm-trace/index.ts";
import { trace } from "./trace.ts";
import type { JobResult, LaunchOptions } from "./types.ts";
import { validateLaunchOptions, type ResolvedLaunchOptions } from "./validate-options.ts";
import { HEARTBEAT_INTERVAL_MS } from "./agent/protocol.ts";
import { writeLauncherLines } from "./output/shared-destination.ts";

/** Exit code of a job refused before it started because its ranks do not fit the hosts' slots. */
const SLOTS_EXIT_CODE = 2;
/** Agents end their ranks when the launcher has been silent this long (several heartbeats). */
const AGENT_HEARTBEAT_TIMEOUT_MS = 5 * HEARTBEAT_INTERVAL_MS;

/**
 * Starts `np` ranks of `program` and resolves when all have exited, with how each ended.
 * Resolves for failed jobs too (see `JobResult.exitCode` and `failure`); rejects only when the
 * options themselves are invalid (TypeError / RangeError).
 */
export async function launch(options: LaunchOptions): Promise<JobResult> {
  const job = validateLaunchOptions(options);
  const startedAt = performance.now();
  trace("launch() called");
  const placement = placeRanks(job.np, { bindTo: job.bindTo, mapBy: job.mapBy === "node" ? "core" : job.mapBy });
  const jobId = randomBytes(8).toString("hex");
  const finish = (fields: Pick<JobResult, "exitCode" | "ranks" | "timedOut" | "failure" | "trace">): JobResult => ({
    jobId,
    ...fields,
    placement,
    durationMs: performance.now() - startedAt,
  });
  const notStarted = (failure: string, exitCode = 1): JobResult => finish({ exitCode, ranks: [], timedOut: false, failure });

  let hostOf: number[] | undefined;
  if (job.hosts !== undefined) {
    const mapped = mapRanksToHosts(job.np, job.hosts, job.mapBy ?? "core", job.oversubscribe);
    if (!mapped.ok) return notStarted(mapped.message, SLOTS_EXIT_CODE);
    hostOf = mapped.hostOf;
  }
  const usedHosts = job.hosts?.filter((_, index) => hostOf?.includes(index)) ?? [];
  const onThisHostOnly = usedHosts.every((host) => isThisHost(host.name));

  if (onThisHostOnly) {
    const capacity = localCapacity();
    if (job.np > capacity.ranks) {
      return notStarted(
        `tsmpirun: ${job.np} ranks cannot start on this host, which has room for about ${capacity.ranks} (${capacity.limitedBy}); no ranks were started`,
      );
    }
  }

  const found = await findProgram(job.cwd, job.program);
  if (!found.ok) return notStarted(`${found.message}; no ranks were started`);
  const program = found.path;

  const jobDir = createJobDir();
  try {
    const bundled = await bundleProgramCached(program, bundlePath(jobDir.path));
    if (!bundled.ok) {
      return notStarted(`tsmpirun: could not bundle ${job.program}; no ranks were started\n${bundled.diagnostics}`);
    }
    if (job.reportBindings) reportBindings(placement);
    const common = { jobId, jobDir: jobDir.path, bundle: bundled.file, placement };
    const supervised = onThisHostOnly
      ? await superviseJob(job, {
          ...common,
          rendezvous: job.transport === "ipc" ? { kind: "ipc", jobDir: jobDir.path } : { kind: "tcp", address: "127.0.0.1" },
          hosts: () => ({ hosts: [{ host: new LocalRanks(), ranks: Array.from({ length: job.np }, (_, rank) => rank) }] }),
        })
      : await superviseAcrossHosts(job, common, hostOf!, { program, externals: bundled.externals });
    const trace =
      job.traceFile === undefined
        ? undefined
        : await writeCommTrace(job.traceFile, supervised.traces, { jobId, np: job.np, program: job.program, exitCode: supervised.verdict.exitCode });
    return finish({
      exitCode: supervised.verdict.exitCode,
      ranks: supervised.ranks,
      timedOut: supervised.timedOut,
      failure: supervised.verdict.failure,
      ...(trace !== undefined ? { trace } : {}),
    });
  } finally {
    await Promise.all([jobDir.remove(), removeJobSegments(jobId)]);
  }
}

/**
 * A job on several hosts: one agent per host (over ssh, srun, or started directly on this host),
 * a tcp rendezvous, and unless `auth` is none a key pair made for this job alone.
 */
async function superviseAcrossHosts(
  job: ResolvedLaunchOptions,
  common: { jobId: string; jobDir: string; bundle: string; placement: ReturnType<typeof placeRanks> },
  hostOf: number[],
  program: { program: string; externals: string[] },
): ReturnType<typeof superviseJob> {
  const hosts = job.hosts ?? [];
  const key = job.auth === "curve" ? newJobKey() : undefined;
  const bundle = await readFile(common.bundle, "utf8");
  const rendezvousAddress = job.iface === undefined ? undefined : launcherAddressOn(job.iface);
  const rendezvous: RendezvousBinding = { kind: "tcp", address: rendezvousAddress ?? "0.0.0.0", key };
  return superviseJob(job, {
    ...common,
    rendezvous,
    hosts: (server): JobHosts => {
      const template: AgentJobTemplate = {
        jobId: common.jobId,
        size: job.np,
        rendezvousPort: server.port ?? 0,
        iface: job.iface,
        key: key === undefined ? undefined : encodeJobKey(key),
        transport: job.transport,
        cwd: job.cwd,
        requiredPaths: [...new Set([job.cwd, program.program, ...program.externals])],
        bundle,
        args: [...job.args],
        env: { ...job.env },
        stdoutTty: job.forwardOutput && job.outputDir === undefined && process.stdout.isTTY === true,
        killGraceMs: job.killGraceMs,
        heartbeatTimeoutMs: AGENT_HEARTBEAT_TIMEOUT_MS,
        placement: { bindTo: job.bindTo, mapBy: job.mapBy === "node" ? "core" : job.mapBy },
      };
      const showAgentLine = (host: string, line: string): void => {
        if (job.slurm === undefined || !isSrunNoise(line)) writeLauncherLines(process.stderr, `tsmpirun: host ${host}: ${line}\n`);
      };
      const used = hosts
        .map((host, index) => ({ host, ranks: hostOf.flatMap((hostIndex, rank) => (hostIndex === index ? [rank] : [])) }))
        .filter(({ ranks }) => ranks.length > 0);
      const isLocal = (name: string): boolean => isThisHost(name) && job.slurm === undefined;
      const remote = new Map(
        used
          .filter(({ host }) => !isLocal(host.name))
          .map(({ host }) => {
            const agent = job.slurm !== undefined ? startAgentWithSrun(host.name, job.slurm.cpus.get(host.name)) : startAgentOverSsh(host.name, job.sshCommand);
            return [host.name, new AgentHost(host.name, agent, template, showAgentLine, Promise.resolve(rendezvousAddress))] as const;
          }),
      );
      // This host's ranks must listen where the other hosts reach it: the address their
      // connections came from, as the first remote agent reports it.
      const seen = rendezvousAddress !== undefined ? Promise.resolve(rendezvousAddress) : firstAddress([...remote.values()].map((host) => host.launcherAddress));
      return {
        hosts: used.map(({ host, ranks }) => ({
          host: remote.get(host.name) ?? new AgentHost(hostname(), startLocalAgent(), template, showAgentLine, seen),
          ranks,
        })),
      };
    },
  });
}

/** The first of the agents' reports that is an address (undefined if none is). */
async function firstAddress(reports: Promise<string | undefined>[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    let pending = reports.length;
    if (pending === 0) resolve(undefined);
    for (const report of reports) {
      void report.then((address) => {
        pending--;
        if (address !== undefined) resolve(address);
        else if (pending === 0) resolve(undefined);
      });
    }
  });
}

/** This host's IPv4 address on `--iface` (a name or a CIDR), for the rendezvous to listen on. */
function launcherAddressOn(iface: string): string {
  const address = interfaceAddress(iface);
  if (address === undefined) throw new RangeError(`--iface ${iface}: this host has no IPv4 address there`);
  return address;
}

/** mpirun --report-bindings: one line per rank, before the ranks start. */
function reportBindings(placement: ReturnType<typeof placeRanks>): void {
  const lines = placement.cpus.map((cpu, rank) =>
    `tsmpirun: rank ${rank} ${cpu === undefined ? "not bound" : `bound to cpu ${cpu}`} (--bind-to ${placement.bindTo} --map-by ${placement.mapBy}; ${placement.reason})\n`,
  );
  process.stderr.write(lines.join(""));
}
