/**
 * The three-host test cluster of test/cluster/up.sh, for the suites in test/hosts/: network
 * namespaces tsmpi-n1..3 (hosts n1, n2, n3 at 10.201.0.11-13, sshd on port 2222), reached with
 * the cluster's own ssh config. The hosts share this machine's filesystem and process table, so
 * a test sees every process of a job in /proc, on whichever host it runs.
 *
 * Suites use `describe.skipIf(skipCluster(file))` and call `requireCluster()` in a beforeAll: a
 * missing cluster skips them with the reason printed, except with CI=true, where it fails them.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { jobSegments } from "./processes.ts";

export const clusterDir = process.env.TSMPI_CLUSTER_DIR ?? "/var/tmp/tsmpi-cluster";
export const sshConfig = join(clusterDir, "ssh/ssh_config");
/** `--ssh-command` for every job on the cluster. */
export const sshCommand = `ssh -F ${sshConfig}`;
/** A directory that exists on the launcher's host, n1 and n2, and is an empty tmpfs on n3. */
export const privateDir = join(clusterDir, "private");
export const HOSTS = ["n1", "n2", "n3"] as const;
export type ClusterHost = (typeof HOSTS)[number];
/** The address each host's ranks listen on (and ssh reaches). */
export const HOST_ADDRESS: Record<ClusterHost, string> = { n1: "10.201.0.11", n2: "10.201.0.12", n3: "10.201.0.13" };
/** The ssh config's ConnectTimeout, in seconds. */
export const SSH_CONNECT_TIMEOUT_S = 3;

/** Why the cluster cannot be used, or undefined when it can. */
export function clusterMissing(): string | undefined {
  if (!existsSync(sshConfig)) return `${sshConfig} does not exist; start test/cluster/up.sh`;
  let namespaces: string[];
  try {
    namespaces = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.split(" ")[0] ?? "");
  } catch (error) {
    return `"ip netns list" failed: ${(error as Error).message}`;
  }
  const absent = HOSTS.map((host) => `tsmpi-${host}`).filter((name) => !namespaces.includes(name));
  return absent.length === 0 ? undefined : `network namespaces ${absent.join(", ")} are missing; start test/cluster/up.sh`;
}

export function clusterAvailable(): boolean {
  return clusterMissing() === undefined;
}

const missing = clusterMissing();

/** For `describe.skipIf`: skip (saying why) when the cluster is missing, unless CI=true. */
export function skipCluster(file: string): boolean {
  if (missing === undefined) return false;
  if (process.env.CI === "true") return false;
  console.warn(`${file} skipped: ${missing}`);
  return true;
}

/** In a beforeAll: with CI=true a missing cluster fails the suite instead of skipping it. */
export function requireCluster(): void {
  if (missing !== undefined) throw new Error(`CI=true needs the three-host test cluster: ${missing}`);
}

/** `tsmpirun` arguments for a job on the cluster. */
export function onCluster(...args: string[]): string[] {
  return ["--ssh-command", sshCommand, ...args];
}

/** `ip -n tsmpi-<host> link set eth0 up|down`: cuts or restores the host's only link. */
export function setLink(host: ClusterHost, state: "up" | "down"): void {
  execFileSync("ip", ["-n", `tsmpi-${host}`, "link", "set", "eth0", state]);
}

// ---- The processes of a job, on every host ----

/** One process of a job, identified by pid and start time (pids are reused). */
export interface TrackedProcess {
  pid: number;
  start: string;
  role: "rank" | "agent" | "sshd session" | "ssh client" | "tsmpirun child";
  command: string;
}

interface ProcStat {
  ppid: number;
  state: string;
  start: string;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    // After the command name in parentheses: state ppid ... (field 22 is the start time).
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return undefined;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

/** The direct children of `pid` (every thread's). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => {
      try {
        return readFileSync(`/proc/${pid}/task/${task}/children`, "latin1").split(" ").filter((word) => word !== "").map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

function track(pid: number, role: TrackedProcess["role"]): TrackedProcess | undefined {
  const stat = procStat(pid);
  if (stat === undefined || stat.state === "Z") return undefined;
  return { pid, start: stat.start, role, command: commandLine(pid) };
}

/** Live processes whose initial environment holds `entry` ("NAME=value"); zombies have none. */
export function processesWithEnv(entry: string): number[] {
  const needle = `${entry}\0`;
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "latin1").includes(needle);
      } catch {
        return false;
      }
    });
}

/**
 * Every process of a running job that the test can name: its ranks (`rankEnv`, e.g.
 * "TSMPI_JOB_ID=<id>", in their environment), their parents (the hosts' agents), the agents'
 * parents when those are sshd sessions, and tsmpirun's own children (ssh clients, the local
 * agent). Take it while the job runs (or use `FootprintWatch`); `stillAlive` checks it after.
 */
export function jobFootprint(rankEnv: string, tsmpirunPid: number | undefined): TrackedProcess[] {
  const found = new Map<number, TrackedProcess>();
  addFootprint(found, rankEnv, tsmpirunPid);
  return [...found.values()];
}

function addFootprint(found: Map<number, TrackedProcess>, rankEnv: string, tsmpirunPid: number | undefined): void {
  const add = (pid: number, role: TrackedProcess["role"]): void => {
    if (found.has(pid)) return;
    const tracked = track(pid, role);
    if (tracked !== undefined) found.set(pid, tracked);
  };
  const ranks = processesWithEnv(rankEnv);
  for (const pid of ranks) add(pid, "rank");
  for (const pid of ranks) {
    const parent = procStat(pid)?.ppid;
    if (parent === undefined || parent === tsmpirunPid || ranks.includes(parent)) continue;
    if (!commandLine(parent).includes("agent/main.js")) continue;
    add(parent, "agent");
    const grandparent = procStat(parent)?.ppid;
    if (grandparent !== undefined && commandLine(grandparent).startsWith("sshd:")) add(grandparent, "sshd session");
  }
  if (tsmpirunPid !== undefined) {
    for (const pid of childrenOf(tsmpirunPid)) {
      // Just forked, a child is still node until it execs ssh: look again until it is known.
      if (found.get(pid)?.role === "tsmpirun child") found.delete(pid);
      add(pid, commandLine(pid).split(" ")[0]?.endsWith("ssh") === true ? "ssh client" : "tsmpirun child");
    }
  }
}

/** Collects a job's footprint every `intervalMs` while it runs: catches processes that live briefly. */
export class FootprintWatch {
  readonly #found = new Map<number, TrackedProcess>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly rankEnv: string,
    private readonly tsmpirunPid: number | undefined,
    intervalMs = 100,
  ) {
    this.#poll();
    this.#timer = setInterval(() => this.#poll(), intervalMs);
  }

  #poll(): void {
    addFootprint(this.#found, this.rankEnv, this.tsmpirunPid);
  }

  /** Every process seen so far (watching goes on). */
  current(): TrackedProcess[] {
    this.#poll();
    return [...this.#found.values()];
  }

  /** Stops watching; every process seen so far. */
  stop(): TrackedProcess[] {
    clearInterval(this.#timer);
    this.#poll();
    return [...this.#found.values()];
  }
}

/** Those of `processes` that still run (a zombie or a reused pid counts as gone). */
export function stillAlive(processes: readonly TrackedProcess[]): TrackedProcess[] {
  return processes.filter((process) => {
    const stat = procStat(process.pid);
    return stat !== undefined && stat.state !== "Z" && stat.start === process.start;
  });
}

/** Live processes whose command line mentions one of `dirs` (a rank runs `node DIR/program.mjs`). */
function processesMentioning(dirs: readonly string[]): number[] {
  if (dirs.length === 0) return [];
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const stat = procStat(pid);
      if (stat === undefined || stat.state === "Z" || pid === process.pid) return false;
      const command = commandLine(pid);
      return dirs.some((dir) => command.includes(dir));
    });
}

/** A job as the leftover checks see it. */
export interface JobTraces {
  /** For its /dev/shm segments and TSMPI_JOB_ID; undefined if the job never said it. */
  jobId: string | undefined;
  /** Environment entries ("NAME=value") that mark its ranks (TSMPI_JOB_ID, a -x marker). */
  rankEnv: readonly string[];
  tracked: readonly TrackedProcess[];
  /** Its job dirs (the launcher's and the agents'). */
  dirs: readonly string[];
  /** Tracked processes of these roles are not counted (nor killed). */
  ignore?: readonly TrackedProcess["role"][];
}

function counted(job: JobTraces): TrackedProcess[] {
  return job.tracked.filter((process) => !(job.ignore ?? []).includes(process.role));
}

/** What the job left behind, as readable lines; [] when nothing is. */
export function jobLeftovers(job: JobTraces): string[] {
  const lines: string[] = [];
  for (const process of stillAlive(counted(job))) lines.push(`${process.role} pid ${process.pid} still runs: ${process.command}`);
  const known = new Set(job.tracked.map((process) => process.pid));
  const marked = new Set(job.rankEnv.flatMap((entry) => processesWithEnv(entry)));
  for (const pid of marked) if (!known.has(pid)) lines.push(`pid ${pid} has the job's environment: ${commandLine(pid)}`);
  for (const pid of processesMentioning(job.dirs)) if (!known.has(pid) && !marked.has(pid)) lines.push(`pid ${pid} runs in the job's dir: ${commandLine(pid)}`);
  if (job.jobId !== undefined) for (const segment of jobSegments(job.jobId)) lines.push(`/dev/shm/${segment} is left`);
  for (const dir of job.dirs) if (existsSync(dir)) lines.push(`job dir ${dir} is left`);
  return lines;
}

/**
 * Polls `jobLeftovers` until nothing is left or `withinMs` has passed; returns the last answer.
 * Processes of the job that are still there after that are the test's to end: they are killed
 * (by pid, after the answer is taken) so that one failed test does not leak into the next.
 */
export async function leftoversAfter(job: JobTraces, withinMs: number): Promise<string[]> {
  const deadline = performance.now() + withinMs;
  let lines = jobLeftovers(job);
  while (lines.length > 0 && performance.now() < deadline) {
    await delay(100);
    lines = jobLeftovers(job);
  }
  if (lines.length > 0) {
    for (const process of stillAlive(counted(job))) killQuietly(process.pid);
    for (const entry of job.rankEnv) for (const pid of processesWithEnv(entry)) killQuietly(pid);
  }
  return lines;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone meanwhile.
  }
}

/** Every `key=value` word on the lines of `stdout` that contain `marker` (the fixtures' ready lines). */
export function readyLines(stdout: string, marker = " ready"): Record<string, string>[] {
  return stdout
    .split("\n")
    .filter((line) => line.includes(marker))
    .map((line) => Object.fromEntries(line.split(" ").filter((word) => word.includes("=")).map((word) => word.split("=", 2) as [string, string])));
}

// ---- Cutting a host's link without breaking the other suites' jobs ----

const LOCK_DIR = join(tmpdir(), "tsmpi-hosts-test-lock");
const EXCLUSIVE = join(LOCK_DIR, "exclusive");

function ownerAlive(file: string): boolean {
  try {
    const pid = Number(readFileSync(file, "utf8"));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but not ours; anything else (ESRCH, no file, no pid): gone.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function exclusiveHeld(): boolean {
  if (!existsSync(EXCLUSIVE)) return false;
  if (ownerAlive(join(EXCLUSIVE, "pid"))) return true;
  // Left by a test process that died holding it; its owner file may still be being written.
  try {
    if (Date.now() - statSync(EXCLUSIVE).mtimeMs > 2_000) rmSync(EXCLUSIVE, { recursive: true, force: true });
  } catch {
    // Removed meanwhile.
  }
  return existsSync(EXCLUSIVE);
}

/**
 * Runs `body` while no test file cuts a host's link (test files run in parallel, and a cut n3
 * breaks every job that uses it). Jobs on the cluster run under this shared lock;
 * `withClusterExclusive` waits for them. The lock is files in the shared /tmp, taken by any test
 * process of this machine; it does not keep out jobs that other programs run on the cluster.
 */
export async function withClusterShared<T>(body: () => Promise<T>): Promise<T> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const mine = join(LOCK_DIR, `shared-${process.pid}-${randomBytes(4).toString("hex")}`);
  for (;;) {
    while (exclusiveHeld()) await delay(100);
    writeFileSync(mine, String(process.pid));
    // Either the exclusive holder sees this file, or this sees its directory.
    if (!exclusiveHeld()) break;
    rmSync(mine, { force: true });
  }
  try {
    return await body();
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Runs `body` once every shared holder is done, keeping new ones out until it returns. */
export async function withClusterExclusive<T>(body: () => Promise<T>): Promise<T> {
  mkdirSync(LOCK_DIR, { recursive: true });
  for (;;) {
    try {
      mkdirSync(EXCLUSIVE);
      writeFileSync(join(EXCLUSIVE, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      while (exclusiveHeld()) await delay(100);
    }
  }
  try {
    const sharedHolders = (): string[] =>
      readdirSync(LOCK_DIR).filter((name) => name.startsWith("shared-") && ownerAlive(join(LOCK_DIR, name)));
    while (sharedHolders().length > 0) await delay(100);
    return await body();
  } finally {
    rmSync(EXCLUSIVE, { recursive: true, force: true });
  }
}
