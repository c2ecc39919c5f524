/**
 * The Kubernetes Job of `tsmpirun --emit k8s`, run without Kubernetes: each pod of the Indexed Job is
 * a network namespace of its own (tsmpi-pod0..2 on the bridge br-tsmpipod, 10.202.0.10-12) with the
 * hostname the Job gives it (`NAME-K`) and an /etc/hosts where only rank 0's name resolves, as the
 * headless Service's DNS would (publishNotReadyAddresses: as soon as the pod has an IP). Every pod
 * runs the container's command with exactly the environment the emitted manifest gives it:
 * literal values as written, `status.podIP` from the downward API as the pod's address,
 * `JOB_COMPLETION_INDEX` as the Job controller sets it, and the key file mounted from the Secret.
 * So the test fails when the manifest and the runtime disagree about anything.
 *
 * Namespaces, bridge and files are this file's own, made in beforeAll and removed in afterAll;
 * processes are ended by pid. Skipped, with the reason printed, when not root or without `ip netns`,
 * except with CI=true, where that is a failure rather than a silent pass.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { curveKeyPair } from "zeromq";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "../helpers/paths.ts";
import { jobProcesses } from "../helpers/processes.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

const NAME = "heat";
const PORT = 7777;
const PODS = 3;
const BRIDGE = "br-tsmpipod";
const namespaceOf = (index: number): string => `tsmpi-pod${index}`;
const vethOf = (index: number): string => `veth-tpod${index}`;
const podIp = (index: number): string => `10.202.0.1${index}`;
const tsmpirunBin = join(repoRoot, "packages/launcher/bin/tsmpirun.js");
/** Beyond this a pod has hung (a run takes 1-3 s). */
const POD_TIMEOUT_MS = 20_000;

const notPossible =
  process.getuid?.() !== 0
    ? "not root (network namespaces need it)"
    : spawnSync("ip", ["netns", "list"]).status !== 0
      ? "`ip netns` is not available"
      : spawnSync("unshare", ["--help"]).status !== 0
        ? "unshare is not available"
        : undefined;
const skip = notPossible !== undefined && process.env.CI !== "true";
if (skip) console.warn(`test/k8s/discovery.test.ts skipped: ${notPossible}`);

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface Container {
  command: string[];
  workingDir: string;
  env: EnvVar[];
  volumeMounts: { name: string; mountPath: string }[];
}

/** What the emitted manifests say a rank pod runs, and the job's key. */
interface EmittedJob {
  container: Container;
  /** The Secret's key file as the pods see it (mount path + the Secret's one key) and its content. */
  keyPath: string;
  keyText: string;
  jobId: string;
}

interface PodRun {
  index: number;
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves when stderr matches `pattern`. */
  waitForStderr(pattern: RegExp): Promise<void>;
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  tmp: string;
}

const work = mkdtempSync(join(tmpdir(), "tsmpi-k8s-test-"));
const started: PodRun[] = [];
const jobIds: string[] = [];

describe.skipIf(skip)("the emitted Kubernetes Job, on network-namespace pods", () => {
  beforeAll(() => {
    if (notPossible !== undefined) throw new Error(`CI=true needs root and ip netns: ${notPossible}`);
    tearDownNetwork();
    setUpNetwork();
  });

  afterAll(() => {
    for (const pod of started) killPod(pod, "SIGKILL");
    for (const jobId of jobIds) for (const pid of jobProcesses(jobId)) killPid(pid, "SIGKILL");
    tearDownNetwork();
    rmSync(work, { recursive: true, force: true });
  });

  test("ranks started before rank 0 wait for its rendezvous, then every rank reaches the others by tcp", async () => {
    const job = await emitJob("test/fixtures/hello-hosts.ts");
    const key = writeKeyFile("good", job.keyText);
    const late = [1, 2].map((index) => startPod(job, index, key));
    // They report the wait (every second here: TSMPI_WIREUP_PROGRESS_SECONDS=1) before rank 0 exists.
    await Promise.all(late.map((pod) => pod.waitForStderr(new RegExp(`rank ${pod.index}: waiting for the rendezvous at tcp://${NAME}-0\\.${NAME}:${PORT}`))));
    const first = startPod(job, 0, key);
    const pods = [first, ...late];
    const exits = await Promise.all(pods.map((pod) => pod.exited));
    for (const pod of pods) {
      expect(exits[pods.indexOf(pod)], explain(pods)).toEqual({ exitCode: 0, signal: null });
      expect(pod.stdout.trim(), explain(pods)).toBe(`rank ${pod.index} of ${PODS} on ${NAME}-${pod.index} sum=6`);
      // The private socket directory and the wrapper's scratch are gone with the rank.
      expect(readdirSync(pod.tmp)).toEqual([]);
    }
    expect(jobProcesses(job.jobId)).toEqual([]);
  });

  test("heat on the pods prints the same final mean and checksum as the same rank count on one host", async () => {
    const heatArgs = ["--nx", "256", "--ny", "256", "--steps", "100", "--checksum"];
    const job = await emitJob("programs/heat.ts", heatArgs);
    const key = writeKeyFile("heat", job.keyText);
    const pods = [0, 1, 2].map((index) => startPod(job, index, key));
    const [exits, oneHost] = await Promise.all([Promise.all(pods.map((pod) => pod.exited)), runTsmpirun(["-n", String(PODS), "programs/heat.ts", ...heatArgs])]);
    expect(exits, explain(pods)).toEqual(pods.map(() => ({ exitCode: 0, signal: null })));
    expect(oneHost.exitCode, oneHost.stderr).toBe(0);
    const result = (stdout: string): string[] => stdout.split("\n").filter((line) => /^(final mean|checksum)/.test(line));
    expect(result(pods[0]!.stdout)).toHaveLength(2);
    expect(result(pods[0]!.stdout)).toEqual(result(oneHost.stdout));
  });

  test("a rank whose program never calls finalize still hands over its messages (16 MiB over CURVE) and every pod exits", async () => {
    const job = await emitJob("test/fixtures/no-finalize.ts");
    const key = writeKeyFile("good-2", job.keyText);
    const pods = [0, 1, 2].map((index) => startPod(job, index, key));
    const exits = await Promise.all(pods.map((pod) => pod.exited));
    expect(exits, explain(pods)).toEqual(pods.map(() => ({ exitCode: 0, signal: null })));
    expect(pods[0]?.stdout).toContain("rank 0 returns without finalize");
    for (const pod of pods.slice(1)) expect(pod.stdout, explain(pods)).toContain(`rank ${pod.index} got everything`);
    expect(jobProcesses(job.jobId)).toEqual([]);
  });

  test("a pod with another key cannot join: it fails saying so, and the Job's FailJob policy ends the rest", async () => {
    const job = await emitJob("test/fixtures/hello-hosts.ts");
    const key = writeKeyFile("good-3", job.keyText);
    const wrong = writeKeyFile("wrong", JSON.stringify(curveKeyPair()));
    const pods = [startPod(job, 0, key), startPod(job, 1, key), startPod(job, 2, wrong)];
    const intruder = pods[2]!;
    const refused = await intruder.exited;
    expect(refused, explain(pods)).toEqual({ exitCode: 1, signal: null });
    expect(intruder.stderr).toMatch(/rank 2 of 3 on heat-2: TsmpiError \[ERR_WIREUP\]: rank 2: init\(\): the rendezvous at tcp:\/\/heat-0\.heat:7777 refused this rank's CURVE handshake .*TSMPI_KEY_FILE/);
    // Rank 0 says whom it is waiting for; the others never got past the fence.
    await pods[0]!.waitForStderr(/rank 0: rendezvous on port 7777: 2 of 3 ranks at the fence; waiting for rank 2 \(not connected\)/);
    expect(pods[0]!.stdout + pods[1]!.stdout).toBe("");
    // podFailurePolicy FailJob: a container that exits non-zero ends every pod of the Job (kubelet's SIGTERM).
    for (const pod of pods.slice(0, 2)) killPod(pod, "SIGTERM");
    const ended = await Promise.all(pods.slice(0, 2).map((pod) => pod.exited));
    expect(ended).toEqual([
      { exitCode: 143, signal: null },
      { exitCode: 143, signal: null },
    ]);
    expect(jobProcesses(job.jobId)).toEqual([]);
  });
});

/** `tsmpirun --emit k8s` for `program`, and the parts of its output a pod is made of. */
async function emitJob(program: string, args: readonly string[] = []): Promise<EmittedJob> {
  const run = await runTsmpirun(["--emit", "k8s", "--name", NAME, "-n", String(PODS), "--image", "registry.invalid/tsmpi:test", "--port", String(PORT), program, ...args]);
  expect(run.stderr).toBe("");
  expect(run.exitCode).toBe(0);
  const documents = run.stdout
    .split(/^---$/m)
    .slice(1)
    .map((text) => JSON.parse(text) as { kind: string; spec?: unknown; stringData?: Record<string, string> });
  const secret = documents.find((document) => document.kind === "Secret");
  const jobObject = documents.find((document) => document.kind === "Job") as
    | { spec: { template: { spec: { containers: Container[]; volumes: { name: string; secret?: { secretName: string } }[] } } } }
    | undefined;
  const podSpec = jobObject?.spec.template.spec;
  const container = podSpec?.containers[0];
  if (secret?.stringData === undefined || podSpec === undefined || container === undefined) throw new Error(`unexpected manifests:\n${run.stdout}`);
  // The key file is wherever the Secret's volume is mounted, under the Secret's one key.
  const secretVolume = podSpec.volumes.find((volume) => volume.secret !== undefined);
  const mount = container.volumeMounts.find((volumeMount) => volumeMount.name === secretVolume?.name);
  const [keyName, keyText] = Object.entries(secret.stringData)[0] ?? [];
  if (mount === undefined || keyName === undefined || keyText === undefined) throw new Error(`no key mounted from the Secret:\n${run.stdout}`);
  const jobId = container.env.find((variable) => variable.name === "TSMPI_JOB_ID")?.value ?? "";
  jobIds.push(jobId);
  return { container, keyPath: posix.join(mount.mountPath, keyName), keyText, jobId };
}

/** The Secret's content as kubelet would mount it (mode 0400: defaultMode of the Secret volume). */
function writeKeyFile(name: string, text: string): string {
  const file = join(work, `${name}.key`);
  writeFileSync(file, text, { mode: 0o400 });
  chmodSync(file, 0o400);
  return file;
}

/**
 * The environment of pod `index`, from the manifest: what no manifest variable covers is what a
 * container has anyway (PATH, its own TMPDIR) and the Job controller's JOB_COMPLETION_INDEX. The key
 * file keeps the manifest's role but lives where this test put it (no Secret volume here).
 */
function podEnvironment(job: EmittedJob, index: number, keyFile: string, tmp: string): string[] {
  const env = [`PATH=${posix.dirname(process.execPath)}:/usr/bin:/bin`, `TMPDIR=${tmp}`, `JOB_COMPLETION_INDEX=${index}`, "TSMPI_WIREUP_PROGRESS_SECONDS=1"];
  for (const variable of job.container.env) {
    if (variable.valueFrom !== undefined) {
      const field = variable.valueFrom.fieldRef?.fieldPath;
      if (field !== "status.podIP") throw new Error(`the manifest sets ${variable.name} from ${JSON.stringify(variable.valueFrom)}, which this test cannot provide`);
      env.push(`${variable.name}=${podIp(index)}`);
    } else if (variable.value === job.keyPath) {
      env.push(`${variable.name}=${keyFile}`);
    } else {
      env.push(`${variable.name}=${variable.value ?? ""}`);
    }
  }
  return env;
}

/** Starts pod `index`: the container's command (npx's tsmpirun is this checkout's) in its namespace. */
function startPod(job: EmittedJob, index: number, keyFile: string): PodRun {
  const { command, workingDir } = job.container;
  expect(command.slice(0, 3)).toEqual(["npx", "--no-install", "tsmpirun"]);
  const tmp = mkdtempSync(join(work, `pod${index}-`));
  const rankCommand = [process.execPath, tsmpirunBin, ...command.slice(3)];
  // unshare --uts: the pod's own hostname, NAME-K, as the Indexed Job gives it.
  const child = spawn(
    "ip",
    ["netns", "exec", namespaceOf(index), "unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', `${NAME}-${index}`, "env", "-i", ...podEnvironment(job, index, keyFile, tmp), ...rankCommand],
    { cwd: workingDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const waiters: { pattern: RegExp; resolve: () => void; reject: (error: Error) => void }[] = [];
  /** The pod's own process has ended (its output may still be arriving). */
  const processEnded = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (exitCode, signal) => resolve({ exitCode, signal })),
  );
  const pod: PodRun = {
    index,
    child,
    stdout: "",
    stderr: "",
    tmp,
    waitForStderr(pattern) {
      if (pattern.test(pod.stderr)) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
    exited: new Promise((resolve) => {
      const timer = setTimeout(() => {
        pod.stderr += `\n[test: pod ${index} still running after ${POD_TIMEOUT_MS} ms: killed with its rank process]\n`;
        killPodTree(pod, "SIGKILL");
      }, POD_TIMEOUT_MS);
      child.once("close", (exitCode, signal) => {
        clearTimeout(timer);
        resolve({ exitCode, signal });
      });
      // tsmpirun --as-rank runs the rank as a child on the same pipes: one that outlives it would
      // hold "close" off for ever. Its output has arrived by the time the pipes are idle for a while.
      void processEnded.then((ended) => {
        setTimeout(() => {
          if (child.stdout?.readableEnded === true && child.stderr?.readableEnded === true) return;
          clearTimeout(timer);
          pod.stderr += `\n[test: pod ${index}'s process ended (${JSON.stringify(ended)}) but its output stayed open: a process of it outlived it]\n`;
          killPodTree(pod, "SIGKILL");
          resolve(ended);
        }, 2_000).unref();
      });
    }),
  };
  // A wait for output the pod can no longer print fails at once, with what it did print.
  void processEnded.then(async (ended) => {
    // What it printed last may still be in the pipe.
    await new Promise((resolve) => {
      if (child.stderr === null || child.stderr.readableEnded) return resolve(undefined);
      child.stderr.once("end", resolve);
      setTimeout(resolve, 500).unref();
    });
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(pod.stderr)) waiter.resolve();
      else waiter.reject(new Error(`pod ${index} exited (${JSON.stringify(ended)}) before printing ${waiter.pattern}; its stderr:\n${pod.stderr}`));
    }
  });
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (pod.stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    pod.stderr += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(pod.stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  started.push(pod);
  return pod;
}

/** `ip netns exec`, unshare, sh and env all exec: the pid is the pod's tsmpirun --as-rank itself. */
function killPod(pod: PodRun, signal: NodeJS.Signals): void {
  if (pod.child.pid !== undefined && pod.child.exitCode === null && pod.child.signalCode === null) killPid(pod.child.pid, signal);
}

/** The pod's process and the rank processes under it (`tsmpirun --as-rank` spawns the rank). */
function killPodTree(pod: PodRun, signal: NodeJS.Signals): void {
  const pid = pod.child.pid;
  if (pid === undefined) return;
  for (const child of childPids(pid)) killPid(child, signal);
  killPid(pid, signal);
}

function childPids(parent: number): number[] {
  const run = spawnSync("pgrep", ["-P", String(parent)], { encoding: "utf8" });
  return run.stdout.split("\n").filter((line) => line !== "").map(Number);
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone meanwhile.
  }
}

function explain(pods: readonly PodRun[]): string {
  return pods.map((pod) => `--- pod ${pod.index}\nstdout:\n${pod.stdout}\nstderr:\n${pod.stderr}`).join("\n");
}

function ip(...args: string[]): void {
  const run = spawnSync("ip", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`ip ${args.join(" ")} failed: ${run.stderr}`);
}

/** The pods' network: a bridge in this namespace, one veth into each pod, only rank 0's name in /etc/hosts. */
function setUpNetwork(): void {
  ip("link", "add", BRIDGE, "type", "bridge");
  ip("addr", "add", "10.202.0.1/24", "dev", BRIDGE);
  ip("link", "set", BRIDGE, "up");
  for (let index = 0; index < PODS; index++) {
    const ns = namespaceOf(index);
    ip("netns", "add", ns);
    ip("link", "add", vethOf(index), "type", "veth", "peer", "name", "eth0", "netns", ns);
    ip("link", "set", vethOf(index), "master", BRIDGE);
    ip("link", "set", vethOf(index), "up");
    ip("-n", ns, "addr", "add", `${podIp(index)}/24`, "dev", "eth0");
    ip("-n", ns, "link", "set", "eth0", "up");
    ip("-n", ns, "link", "set", "lo", "up");
    // `ip netns exec` bind-mounts these over /etc/hosts and /etc/resolv.conf in the pod.
    mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${ns}/hosts`, `127.0.0.1 localhost\n${podIp(0)} ${NAME}-0.${NAME}\n`);
    // No DNS server exists here: a name outside /etc/hosts must fail at once, not after 10 s.
    writeFileSync(`/etc/netns/${ns}/resolv.conf`, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
  }
}

/** Removes what setUpNetwork makes (or a crashed run left); deleting a namespace deletes its veth pair. */
function tearDownNetwork(): void {
  for (let index = 0; index < PODS; index++) {
    const ns = namespaceOf(index);
    if (existsSync(`/run/netns/${ns}`)) spawnSync("ip", ["netns", "del", ns]);
    rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  }
  if (spawnSync("ip", ["link", "show", BRIDGE]).status === 0) spawnSync("ip", ["link", "del", BRIDGE]);
}
