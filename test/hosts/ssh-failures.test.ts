/**
 * Jobs across hosts that go wrong, on the three-host test cluster (test/helpers/cluster.ts): a
 * remote rank that throws, exits or is killed; a host whose ssh connection dies or whose link is
 * cut; tsmpirun interrupted or killed; a host that cannot be reached. Each case checks the exit
 * code, the message, how long the job took to end (printed; only generous bounds are asserted),
 * and that afterwards nothing of the job is left on any host: no rank, agent, sshd session or
 * ssh client, no process with the job's id or dir, no shared-memory segment, no job dir. Every
 * job's processes, dirs and shared-memory rings are first seen running, so the checks look at
 * something real.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  childrenOf,
  commandLine,
  FootprintWatch,
  leftoversAfter,
  onCluster,
  readyLines,
  requireCluster,
  setLink,
  skipCluster,
  SSH_CONNECT_TIMEOUT_S,
  type JobTraces,
  withClusterExclusive,
  withClusterShared,
} from "../helpers/cluster.ts";
import { fixture } from "../helpers/paths.ts";
import { jobSegments } from "../helpers/processes.ts";
import { startTsmpirun, type RunningTsmpirun, type TsmpirunResult } from "../helpers/tsmpirun.ts";

/** Rank 0 on n1, rank 1 on n2, ranks 2 and 3 on n3. */
const HOSTS = ["--host", "n1:1,n2:1,n3:2", "-n", "4"];
const NP = 4;
/** Beyond this a job has hung (the job's own --timeout is the backstop). */
const END_BOUND_MS = 20_000;
/** How long the job's processes and files may take to go once tsmpirun has exited. */
const CLEANUP_MS = 5_000;

/** Every rank of a test's job has this variable (passed with -x), with a value of its own. */
const MARKER = "TSMPI_HOSTS_TEST_RUN";

interface StartedJob {
  running: RunningTsmpirun;
  marker: string;
  jobId: string;
  /** The ranks' job dirs (one per host: the agents'). */
  dirs: string[];
  hostOf: string[];
  pidOf: number[];
  watch: FootprintWatch;
}

/** Jobs started by the current test, ended by afterEach if a failed assertion left one running. */
const started = new Set<{ running: RunningTsmpirun; marker: string; watch: FootprintWatch }>();

/** tsmpirun on the cluster, its ranks marked, its processes watched from the start. */
function startWatched(args: string[]): { running: RunningTsmpirun; marker: string; watch: FootprintWatch } {
  const marker = `${MARKER}=${randomBytes(8).toString("hex")}`;
  const running = startTsmpirun(onCluster("--timeout", "60", "-x", marker, ...args));
  const job = { running, marker, watch: new FootprintWatch(marker, running.child.pid) };
  started.add(job);
  return job;
}

async function endLeftJobs(): Promise<void> {
  for (const job of started) {
    if (job.running.child.exitCode === null && job.running.child.signalCode === null) job.running.child.kill("SIGTERM");
    await job.running.result;
    await leftoversAfter({ jobId: undefined, rankEnv: [job.marker], tracked: job.watch.stop(), dirs: [] }, CLEANUP_MS);
  }
  started.clear();
}

interface EndedJob {
  run: TsmpirunResult;
  elapsedMs: number;
  /** From the trigger until nothing of the job was left (or the wait gave up). */
  cleanMs: number;
  leftovers: string[];
}

const timings: { label: string; exit: string; ms: number; cleanMs: number | undefined }[] = [];

function explain(run: TsmpirunResult): string {
  return `exit ${run.exitCode ?? run.signal}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/** Starts hosts-behave.ts on the cluster and waits until every rank has joined and said where it is. */
async function startJob(directives: string[] = [], hosts = HOSTS, np = NP): Promise<StartedJob> {
  const { running, marker, watch } = startWatched([...hosts, fixture("hosts-behave"), ...directives]);
  for (let rank = 0; rank < np; rank++) await running.waitForStdout(new RegExp(`rank=${rank} host=\\S+ pid=\\d+ dir=\\S+ ready`));
  return describeJob(running, marker, watch, np);
}

/** The job's id, dirs and ranks from the ready lines, and every process of it as it runs now. */
function describeJob(running: RunningTsmpirun, marker: string, watch: FootprintWatch, np: number): StartedJob {
  const lines = readyLines(running.stdoutSoFar());
  const jobId = lines[0]?.job;
  if (jobId === undefined || lines.length !== np) throw new Error(`expected ${np} ready lines:\n${running.stdoutSoFar()}`);
  const hostOf: string[] = [];
  const pidOf: number[] = [];
  for (const line of lines) {
    hostOf[Number(line.rank)] = line.host!;
    pidOf[Number(line.rank)] = Number(line.pid);
  }
  const dirs = [...new Set(lines.map((line) => line.dir!))];
  // The leftover checks are only as good as what they look for: all of it must be seen running.
  const hosts = new Set(hostOf).size;
  const roles = watch.current().map((process) => process.role);
  const count = (role: string): number => roles.filter((seen) => seen === role).length;
  const seen = { rank: count("rank"), agent: count("agent"), "sshd session": count("sshd session"), "ssh client": count("ssh client"), dirs: dirs.length };
  expect(seen, "processes and dirs of the job found while it runs").toEqual({ rank: np, agent: hosts, "sshd session": hosts, "ssh client": hosts, dirs: hosts });
  // The ranks sharing n3 swapped through shared-memory rings: mapped, their names already unlinked
  // (the reader does that once it has mapped one), so a name left in /dev/shm would be a leak.
  const sharing = pidOf.filter((_, rank) => hostOf[rank] === "n3");
  for (const pid of sharing) expect(readFileSync(`/proc/${pid}/maps`, "latin1"), `rank pid ${pid} maps its rings`).toMatch(new RegExp(`/dev/shm/tsmpi-${jobId}-[0-9a-f]{16}-ring-`));
  expect(jobSegments(jobId)).toEqual([]);
  return { running, marker, jobId, dirs, hostOf, pidOf, watch };
}

/** Ends a started job with `trigger`, measuring from it to tsmpirun's exit, then waits for the job's leftovers to go. */
async function endJob(label: string, job: StartedJob, trigger: () => void, cleanupMs = CLEANUP_MS, ignore: JobTraces["ignore"] = []): Promise<EndedJob> {
  const started = performance.now();
  trigger();
  const run = await job.running.result;
  const elapsedMs = Math.round(performance.now() - started);
  const leftovers = await leftoversAfter({ ...traces(job), ignore }, cleanupMs);
  const cleanMs = Math.round(performance.now() - started);
  timings.push({ label, exit: String(run.exitCode ?? run.signal), ms: elapsedMs, cleanMs });
  console.log(`time to end: ${label}: exit ${run.exitCode ?? run.signal} after ${elapsedMs} ms, nothing left after ${cleanMs} ms`);
  return { run, elapsedMs, cleanMs, leftovers };
}

function traces(job: StartedJob): JobTraces {
  return { jobId: job.jobId, rankEnv: [`TSMPI_JOB_ID=${job.jobId}`, job.marker], tracked: job.watch.stop(), dirs: job.dirs };
}

function expectClean(ended: EndedJob): void {
  expect(ended.leftovers, explain(ended.run)).toEqual([]);
  expect(ended.run.tmpLeftovers).toEqual([]);
  expect(ended.elapsedMs).toBeLessThan(END_BOUND_MS);
}

/** tsmpirun's ssh client for `host` (a child of tsmpirun: `ssh -F cfg HOST exec node agent`). */
function sshClientFor(job: StartedJob, host: string): number {
  const pid = job.running.child.pid!;
  const client = childrenOf(pid).find((child) => {
    const words = commandLine(child).split(" ");
    return words[0]?.endsWith("ssh") === true && words.includes(host);
  });
  if (client === undefined) throw new Error(`no ssh client for ${host} among tsmpirun's children: ${childrenOf(pid).map(commandLine).join("; ")}`);
  return client;
}

describe.skipIf(skipCluster("test/hosts/ssh-failures.test.ts"))("jobs across hosts that fail end, and leave nothing behind", () => {
  beforeAll(requireCluster);
  afterEach(endLeftJobs);
  afterAll(() => {
    if (timings.length === 0) return;
    const width = Math.max(...timings.map((timing) => timing.label.length));
    const rows = timings.map(
      (t) => `  ${t.label.padEnd(width)}  exit ${t.exit.padStart(4)}  ${String(t.ms).padStart(6)} ms  ${t.cleanMs === undefined ? "" : `${String(t.cleanMs).padStart(6)} ms`}`,
    );
    console.log([`time to end:  ${"".padEnd(width)}  exit code  to exit    until clean`, ...rows].join("\n"));
  });

  test("a remote rank that throws: exit 1, and the stack names the fixture", () =>
    withClusterShared(async () => {
      const job = await startJob(["3:throw"]);
      expect(job.hostOf[3]).toBe("n3");
      const ended = await endJob("rank on n3 throws", job, () => process.kill(job.pidOf[3]!, "SIGUSR2"));
      expect(ended.run.exitCode, explain(ended.run)).toBe(1);
      expect(ended.run.stderr).toContain("tsmpirun: rank 3 of 4 on n3 failed: Error: rank 3 on n3 failed on purpose");
      expect(ended.run.stderr).toMatch(/test\/fixtures\/hosts-behave\.ts:\d+:\d+/);
      expectClean(ended);
    }));

  test("a remote rank that exits with 3: exit 3", () =>
    withClusterShared(async () => {
      const job = await startJob(["2:exit:3"]);
      const ended = await endJob("rank on n3 exits 3", job, () => process.kill(job.pidOf[2]!, "SIGUSR2"));
      expect(ended.run.exitCode, explain(ended.run)).toBe(3);
      expect(ended.run.stderr).toMatch(new RegExp(`tsmpirun: rank 2 of 4 on n3 \\(pid ${job.pidOf[2]}\\) exited with code 3`));
      expect(ended.run.stderr).not.toMatch(/rank [013] of 4/);
      expectClean(ended);
    }));

  test("a remote rank that exits 0 without finalize while the others run: exit 1, naming it", () =>
    withClusterShared(async () => {
      const job = await startJob(["2:exit:0"]);
      const ended = await endJob("rank on n3 exits 0 without finalize", job, () => process.kill(job.pidOf[2]!, "SIGUSR2"));
      expect(ended.run.exitCode, explain(ended.run)).toBe(1);
      expect(ended.run.stderr).toMatch(new RegExp(`tsmpirun: rank 2 of 4 on n3 \\(pid ${job.pidOf[2]}\\) exited without calling finalize while other ranks were still running`));
      expect(ended.run.stderr).not.toMatch(/rank [013] of 4/);
      expectClean(ended);
    }));

  test("a remote rank killed by SIGKILL: exit 137", () =>
    withClusterShared(async () => {
      const job = await startJob();
      const ended = await endJob("rank on n2 SIGKILLed", job, () => process.kill(job.pidOf[1]!, "SIGKILL"));
      expect(ended.run.exitCode, explain(ended.run)).toBe(137);
      expect(ended.run.stderr).toMatch(new RegExp(`tsmpirun: rank 1 of 4 on n2 \\(pid ${job.pidOf[1]}\\) was killed by signal SIGKILL`));
      expectClean(ended);
    }));

  test("the ssh connection to one host killed mid-job: the job ends, saying that host was lost", () =>
    withClusterShared(async () => {
      const job = await startJob();
      const ssh = sshClientFor(job, "n3");
      const ended = await endJob("ssh client of n3 SIGKILLed", job, () => process.kill(ssh, "SIGKILL"));
      expect(ended.run.exitCode, explain(ended.run)).not.toBe(0);
      // Both ranks on n3 were lost with it, and the report names both.
      expect(ended.run.stderr).toMatch(/tsmpirun: host n3 lost, with ranks 2, 3 of 4: its tsmpi agent ended \(signal SIGKILL\)/);
      expect(ended.run.stderr).not.toMatch(/host n[12] lost/);
      expectClean(ended);
    }));

  // Exclusive: no other test file's job may use n3 while its link is down.
  test("the link of one host cut mid-job: the job ends, and that host's agent ends its ranks", () =>
    withClusterExclusive(async () => {
      const job = await startJob();
      let restored = false;
      try {
        // Nothing from here reaches n3 now: only its agent's heartbeat can end the ranks there. Its
        // sshd session cannot tell its client that the command ended, so it stays until the link is back.
        const ended = await endJob("link of n3 cut", job, () => setLink("n3", "down"), 10_000, ["sshd session"]);
        expect(ended.run.exitCode, explain(ended.run)).not.toBe(0);
        expect(ended.run.stderr).toMatch(/tsmpirun: host n3 lost, with ranks? 2(, 3)? of 4: its tsmpi agent ended \(exit code 255\)/);
        expectClean(ended);
        setLink("n3", "up");
        restored = true;
        expect(await leftoversAfter(traces(job), CLEANUP_MS), "after the link came back").toEqual([]);
      } finally {
        if (!restored) setLink("n3", "up");
      }
    }));

  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s to tsmpirun ends every rank on every host and exits %i", (signal, code) =>
    withClusterShared(async () => {
      const job = await startJob();
      const ended = await endJob(`${signal} to tsmpirun`, job, () => job.running.child.kill(signal));
      expect(ended.run.exitCode, explain(ended.run)).toBe(code);
      expect(ended.run.stderr).toContain(`tsmpirun: received ${signal}; ended all ranks`);
      expectClean(ended);
    }));

  test("tsmpirun killed by SIGKILL: within seconds no rank or agent is left on any host", () =>
    withClusterShared(async () => {
      const job = await startJob();
      const started = performance.now();
      job.running.child.kill("SIGKILL");
      const run = await job.running.result;
      expect(run.signal).toBe("SIGKILL");
      const leftovers = await leftoversAfter(traces(job), 10_000);
      const elapsedMs = Math.round(performance.now() - started);
      timings.push({ label: "tsmpirun SIGKILLed", exit: "KILL", ms: 0, cleanMs: elapsedMs });
      console.log(`time to end: tsmpirun SIGKILLed: every process of the job gone after ${elapsedMs} ms`);
      expect(leftovers, explain(run)).toEqual([]);
    }));

  test("a host that cannot be reached: a clear error within ssh's ConnectTimeout, naming the host", () =>
    withClusterShared(async () => {
      const started = performance.now();
      const { running, marker, watch } = startWatched(["--host", "n1,unreachable", fixture("hosts-behave")]);
      const run = await running.result;
      const elapsedMs = Math.round(performance.now() - started);
      // The rank on n1 never got past init(): no ready line, so no job id; the marker finds it.
      const leftovers = await leftoversAfter({ jobId: undefined, rankEnv: [marker], tracked: watch.stop(), dirs: [] }, CLEANUP_MS);
      timings.push({ label: "--host n1,unreachable (from start)", exit: String(run.exitCode ?? run.signal), ms: elapsedMs, cleanMs: undefined });
      console.log(`time to end: unreachable host: exit ${run.exitCode} after ${elapsedMs} ms`);
      expect(run.exitCode, explain(run)).not.toBe(0);
      expect(run.stderr).toMatch(/tsmpirun: host unreachable lost, with rank 1 of 2: .*ssh: connect to host 10\.201\.0\.99 port 2222: Connection timed out/);
      expect(elapsedMs).toBeLessThan(SSH_CONNECT_TIMEOUT_S * 1000 + 7_000);
      expect(leftovers).toEqual([]);
      expect(run.tmpLeftovers).toEqual([]);
    }));
});
