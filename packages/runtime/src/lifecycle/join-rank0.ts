/**
 * Joining a job whose rank 0 serves the rendezvous (TSMPI_WIREUP=rank0: the Kubernetes Job that
 * `tsmpirun --emit k8s` writes). Pods find rank 0 by its DNS name alone, so no operator and no API
 * access is needed. Rank 0 starts a RendezvousServer in its own process and connects to it like
 * every rank; the others connect to TSMPI_RENDEZVOUS, which libzmq retries until the name resolves
 * and rank 0 listens, reporting on stderr meanwhile. Once the first fence is done, each rank leaves
 * and rank 0 closes the server when all have: nobody supervises the job after wire-up, so a failing
 * rank prints its own error and exits non-zero, and the Job's podFailurePolicy ends the other pods.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Rank0Env } from "../env.ts";
import type { JobKey } from "../wireup/auth.ts";
import { routeSourceAddressTowards } from "../wireup/bind-address.ts";
import { WireupClient } from "../wireup/client.ts";
import { RendezvousServer } from "../wireup/server.ts";
import type { Joining } from "./job-link.ts";

/**
 * How long rank 0 keeps its rendezvous open after the first fence for ranks that have not yet
 * said they left (one that died between its fence reply and its `leave` would otherwise hold rank 0's
 * process open for ever: the server's pending receive keeps the event loop alive).
 */
const LEAVE_TIMEOUT_MS = 10_000;

/**
 * Rank 0: starts the rendezvous, then connects to it over loopback. Any other rank: connects to
 * TSMPI_RENDEZVOUS, watched (progress reports, a refused key) until the first fence.
 */
export async function joinAtRank0(job: Rank0Env, host: string, key: JobKey | undefined): Promise<Joining> {
  const { rank, size } = job;
  const server = rank === 0 ? await serveRendezvous(job, key) : undefined;
  // Rank 0 reaches its own server over loopback: its DNS name may not resolve yet inside its own pod.
  const endpoint = server === undefined ? job.rendezvous : `tcp://127.0.0.1:${job.port}`;
  const client = await WireupClient.connect({
    endpoint,
    rank,
    size,
    hello: { pid: process.pid, host },
    key,
    // Rank 0's server reports who is missing; its own client has nothing to add.
    watch: server === undefined ? { progressMs: job.progressMs } : undefined,
  });
  /** Rank 0: resolves once its server is closed, after every rank has left or the leave timeout. */
  let serverDone: Promise<void> | undefined;
  return {
    rank,
    size,
    jobId: job.jobId,
    jobDir: undefined,
    ipc: true,
    launcherRemovesSegments: false,
    tcpAddress: () => tcpAddressOf(job),
    link: {
      store: client,
      launcherReports: false,
      wiredUp() {
        void client.leave();
        if (server === undefined) return;
        // The timer need not keep the process alive: the server's pending receive does, until it closes.
        const timedOut = sleep(LEAVE_TIMEOUT_MS, undefined, { ref: false });
        serverDone = Promise.race([server.everyoneLeft(), timedOut]).then(() => server.close());
      },
      reportError: () => undefined,
      reportAbort: () => undefined,
      async finalize() {
        client.close();
        await (serverDone ?? server?.close());
      },
    },
  };
}

/** Rank 0's rendezvous on every interface at TSMPI_RENDEZVOUS's port, with progress reports until the first fence. */
async function serveRendezvous(job: Rank0Env, key: JobKey | undefined): Promise<RendezvousServer> {
  const say = (line: string): void => void process.stderr.write(`tsmpi: rank 0: ${line}\n`);
  let server: RendezvousServer;
  try {
    server = await RendezvousServer.start({
      size: job.size,
      bind: { kind: "tcp", address: "0.0.0.0", port: job.port, key },
      events: {
        // Ranks of this kind of job report nothing (they print their own failures); a message that
        // arrives anyway is shown rather than lost.
        onAbort: (rank, code, reason) => say(`rank ${rank} called abort(${code})${reason === "" ? "" : `: ${reason}`}`),
        onError: (rank, error) => say(`rank ${rank} failed: ${error.stack}`),
        onStall: () => undefined,
        onProtocolError: (detail) => say(`rendezvous: ${detail}`),
        // Refusals are printed by the process's ZAP listener in init.ts, once for both sockets.
      },
    });
  } catch (error) {
    throw new Error(`rank 0 cannot serve the rendezvous on port ${job.port}: ${(error as Error).message}`, { cause: error });
  }
  const startedMs = Date.now();
  const timer = setInterval(() => {
    const waiting = server.waitingFor();
    if (waiting.length === 0) return clearInterval(timer);
    const who = waiting.map(({ rank, connected }) => `${rank}${connected ? "" : " (not connected)"}`).join(", ");
    const seconds = Math.round((Date.now() - startedMs) / 1000);
    say(`rendezvous on port ${job.port}: ${job.size - waiting.length} of ${job.size} ranks at the fence; waiting for rank${waiting.length === 1 ? "" : "s"} ${who} (${seconds} s)`);
  }, job.progressMs);
  timer.unref();
  return server;
}

/** The pod's IP (TSMPI_BIND_ADDRESS from the downward API), else the route towards rank 0. */
async function tcpAddressOf(job: Rank0Env): Promise<string> {
  if (job.bindAddress !== undefined && job.bindAddress !== "auto") return job.bindAddress;
  return routeSourceAddressTowards(job.rendezvous);
}
