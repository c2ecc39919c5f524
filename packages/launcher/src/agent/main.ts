/**
 * The tsmpi agent: started by tsmpirun on every host of a job that spans hosts (Open MPI's orted,
 * reduced to one job). It starts this host's ranks and forwards their output and exit statuses to
 * the launcher. It ends them (and removes their files) when the launcher ends the job, and when
 * the launcher, its connection or its heartbeat goes away. `node agent/main.js`; everything else comes on stdin
 * (agent/protocol.ts), so that the job's key never appears in a command line.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ChildProcess } from "node:child_process";
import { hostIdentity } from "@tsmpi/runtime/internal/wireup";
import { interfaceAddress } from "../hosts/interfaces.ts";
import { localHost } from "../hosts/local.ts";
import { placeRanks } from "../procs/binding.ts";
import { createJobDir } from "../job-dir.ts";
import { spawnRank } from "../procs/spawn.ts";
import { killLeftovers, terminateRank } from "../procs/terminate.ts";
import { removeJobSegments } from "../shared-segments.ts";
import { HeldSource } from "../output/held-source.ts";
import { encodeRecord, type AgentControl, type AgentJob, type AgentRecord } from "./protocol.ts";

/** How long a rank's pipes may stay open after it exited (a grandchild may hold them). */
const PIPE_DRAIN_MS = 1000;

interface LocalRank {
  rank: number;
  child: ChildProcess;
  exited: Promise<void>;
  done: boolean;
  /** The rank's stdout (1) and stderr (2) as forwarded: paused while either side asks. */
  pipes: Map<1 | 2, ForwardedPipe>;
}

/**
 * A rank's pipe is read while both the launcher (pause/resume control lines) and this agent's own
 * stdout (not drained) let it.
 */
class ForwardedPipe {
  launcherPaused = false;
  drainPaused = false;
  readonly #source: HeldSource;

  constructor(stream: NodeJS.ReadableStream) {
    this.#source = new HeldSource(stream);
  }

  get held(): boolean {
    return this.launcherPaused || this.drainPaused;
  }

  settle(): void {
    this.#source.hold(this.held);
  }
}

/** The launcher stopped answering, or its connection ended: nobody will read what a paused pipe holds. */
let launcherLost = false;

/** Returns false while the launcher has not taken what was sent (wait for 'drain'). */
function send(record: AgentRecord): boolean {
  return process.stdout.write(encodeRecord(record));
}
// Once the launcher is gone (killed, its ssh cut) records have no reader: a write fails with EPIPE,
// which unhandled would crash the agent before it removes its job dir and segments.
process.stdout.on("error", () => undefined);

async function main(): Promise<number> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return 1; // the launcher went away before sending the job
  const job = JSON.parse(first.value) as AgentJob;
  send({ t: "hello", hostname: hostname(), launcherAddress: launcherAddressFromConnection() });

  const missing = job.requiredPaths.find((path) => !existsSync(path));
  if (missing !== undefined) {
    send({ t: "failed", message: `${missing} does not exist on host ${job.host}: the project must be at the same path on every host` });
    return 1;
  }
  const rendezvousAddress = job.rendezvousAddress ?? launcherAddressFromConnection() ?? "127.0.0.1";
  const bindAddress = job.iface === undefined ? "auto" : interfaceAddress(job.iface);
  if (bindAddress === undefined) {
    send({ t: "failed", message: `host ${job.host} has no IPv4 address on --iface ${job.iface}` });
    return 1;
  }

  const jobDir = createJobDir();
  const ranks: LocalRank[] = [];
  let ending = false;
  const endAll = async (): Promise<void> => {
    if (ending) return;
    ending = true;
    await Promise.all(
      ranks.filter((local) => !local.done && local.child.pid !== undefined).map((local) => terminateRank(localHost, local.child.pid!, local.exited, job.killGraceMs)),
    );
  };
  try {
    const bundle = join(jobDir.path, "program.mjs");
    await writeFile(bundle, job.bundle);
    let keyFile: string | undefined;
    if (job.key !== undefined) {
      keyFile = join(jobDir.path, "key");
      await writeFile(keyFile, job.key, { mode: 0o600 });
    }
    // Placement on this host's own cpus, which only the agent can see.
    const cpus = placeRanks(job.ranks.length, job.placement).cpus;
    for (const [index, rank] of job.ranks.entries()) {
      const cpu = cpus[index];
      const child = spawnRank(localHost, {
        rank,
        size: job.size,
        jobId: job.jobId,
        jobDir: jobDir.path,
        rendezvous: `tcp://${rendezvousAddress.includes(":") ? `[${rendezvousAddress}]` : rendezvousAddress}:${job.rendezvousPort}`,
        transport: job.transport,
        bundle,
        args: job.args,
        cwd: job.cwd,
        extraEnv: job.env,
        withStdin: rank === job.stdinRank,
        stdoutTty: job.stdoutTty,
        cpu,
        bindAddress,
        keyFile,
      });
      if (child.pid !== undefined) send({ t: "started", rank, pid: child.pid });
      const local: LocalRank = { rank, child, exited: Promise.resolve(), done: false, pipes: new Map() };
      local.exited = forward(local);
      ranks.push(local);
    }

    let lastHeard = Date.now();
    const heartbeat = setInterval(() => {
      if (Date.now() - lastHeard <= job.heartbeatTimeoutMs) return;
      launcherLost = true;
      void endAll();
    }, 250);
    const obey = (message: AgentControl): void => {
      switch (message.t) {
        case "ping":
          return;
        case "stdin":
          ranks.find((local) => local.rank === job.stdinRank)?.child.stdin?.write(Buffer.from(message.data, "base64"));
          return;
        case "stdin-end":
          ranks.find((local) => local.rank === job.stdinRank)?.child.stdin?.end();
          return;
        case "end":
          void endAll();
          return;
        case "pause":
        case "resume": {
          const pipe = ranks.find((local) => local.rank === message.rank)?.pipes.get(message.fd);
          if (pipe === undefined) return;
          pipe.launcherPaused = message.t === "pause";
          pipe.settle();
          return;
        }
      }
    };
    const control = (async () => {
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        lastHeard = Date.now();
        obey(JSON.parse(next.value) as AgentControl);
      }
      // EOF: the launcher, or the ssh/srun connection to it, is gone.
      launcherLost = true;
      void endAll();
    })();
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => void endAll());

    await Promise.all(ranks.map((local) => local.exited));
    clearInterval(heartbeat);
    void control;
    return 0;
  } finally {
    for (const local of ranks) if (local.child.pid !== undefined) killLeftovers(localHost, local.child.pid);
    // Only this host's: other hosts of the job may share this /dev/shm (namespaces) and still run.
    await Promise.all([jobDir.remove(), removeJobSegments(job.jobId, hostIdentity())]);
  }
}

/** Forwards a rank's output and, once its pipes are done, its exit status. */
async function forward(local: LocalRank): Promise<void> {
  const { child, rank } = local;
  const pipes = ([1, 2] as const).map((fd) => {
    const stream = fd === 1 ? child.stdout : child.stderr;
    if (stream === null) return Promise.resolve();
    const pipe = new ForwardedPipe(stream);
    local.pipes.set(fd, pipe);
    stream.on("data", (chunk: Buffer) => {
      if (send({ t: "output", rank, fd, data: chunk.toString("base64") }) || pipe.drainPaused) return;
      // A slow launcher slows the rank down rather than growing this agent. Writes to stdout
      // stay asynchronous, so heartbeat pings on stdin are still read.
      pipe.drainPaused = true;
      pipe.settle();
      process.stdout.once("drain", () => {
        pipe.drainPaused = false;
        pipe.settle();
      });
    });
    return new Promise<void>((resolve) => stream.once("close", resolve));
  });
  child.stdin?.on("error", () => undefined);
  const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => {
      if (child.pid === undefined) resolve({ code: 127, signal: null });
    });
  });
  const allClosed = Promise.all(pipes).then(() => true);
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([allClosed, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PIPE_DRAIN_MS)))]);
    clearTimeout(timer);
    // A pipe paused for a slow reader still holds the rank's last output: wait for it, or it
    // would be lost. A pipe open but not paused is a grandchild's.
    if (closed || launcherLost || ![...local.pipes.values()].some((pipe) => pipe.held)) break;
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
  local.done = true;
  send({ t: "exit", rank, ...status });
}

/** The launcher's address as this host sees it: where our ssh or srun connection came from. */
function launcherAddressFromConnection(): string | undefined {
  const ssh = process.env.SSH_CONNECTION?.split(" ")[0];
  if (ssh !== undefined && ssh !== "") return ssh;
  const srun = process.env.SLURM_LAUNCH_NODE_IPADDR;
  return srun === undefined || srun === "" ? undefined : srun;
}

const code = await main().catch((error: unknown) => {
  send({ t: "failed", message: `agent error: ${(error as Error).stack ?? String(error)}` });
  return 1;
});
// stdin stays open (the launcher's control channel): exit once the last record is written.
process.stdout.write("", () => process.exit(code));
