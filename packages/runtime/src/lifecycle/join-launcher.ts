/**
 * Joining a job that tsmpirun started and supervises: its rendezvous is the store, it prints this
 * rank's failures and ends the job, and it made the job directory the Unix sockets live in.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { JobEnv } from "../env.ts";
import type { JobKey } from "../wireup/auth.ts";
import { routeSourceAddressTowards } from "../wireup/bind-address.ts";
import { WireupClient } from "../wireup/client.ts";
import type { Joining } from "./job-link.ts";
import { exitWhenOrphaned } from "./orphan-watch.ts";
import { describeRankState } from "./state-report.ts";
import { takeTrace, tracing } from "../comm-trace/recorder.ts";

/** A launcher that does not answer by then is gone or ending the job: finalize does not wait on. */
const FINALIZE_ACK_MS = 5_000;

/** Connects to tsmpirun's rendezvous (TSMPI_RENDEZVOUS) and says hello; rank and size are tsmpirun's. */
export async function joinLauncher(job: JobEnv, host: string, key: JobKey | undefined): Promise<Joining> {
  // Ranks run in process groups of their own: if tsmpirun dies, nothing else would end them.
  exitWhenOrphaned(job.rank);
  const { rank, size } = job;
  const client = await WireupClient.connect({ endpoint: job.rendezvous, rank, size, hello: { pid: process.pid, host }, key });
  // The trace goes first on the same socket as the report that follows it, so it arrives before the
  // launcher hears that this rank is leaving; the report's ack then also says the trace is there.
  let traceSent = false;
  const sendTrace = (): void => {
    if (!tracing || traceSent) return;
    traceSent = true;
    client.send({ type: "trace", rank, host, trace: takeTrace() }).catch(() => undefined);
  };
  return {
    rank,
    size,
    jobId: job.jobId,
    jobDir: job.jobDir,
    ipc: job.transport === "ipc",
    launcherRemovesSegments: true,
    tcpAddress: () => tcpAddressOf(job),
    link: {
      store: client,
      launcherReports: true,
      wiredUp: (peerFinalized) => client.serveStateRequests(describeRankState, peerFinalized),
      finalizing: (to) => void client.send({ type: "finalizing", rank, to }).catch(() => undefined),
      reportError: (error) => (sendTrace(), client.report({ type: "error", rank, ...error })),
      reportAbort: (code, reason) => (sendTrace(), client.report({ type: "abort", rank, code, reason })),
      sendTrace,
      async finalize() {
        // Normally already sent by init's finalize, before the engine drained: then a no-op.
        sendTrace();
        // Acknowledged: the launcher must know before this process can exit (process.exit right
        // after finalize), or it would take the exit for one without finalize and end the job.
        await acknowledgedWithin(client.report({ type: "finalize", rank }), FINALIZE_ACK_MS);
        client.close();
      },
    },
  };
}

/** Where this rank listens for ranks of other hosts; `undefined`: it needs no tcp. */
async function tcpAddressOf(job: JobEnv): Promise<string | undefined> {
  if (job.bindAddress === "auto") return routeSourceAddressTowards(job.rendezvous);
  if (job.bindAddress !== undefined) return job.bindAddress;
  return job.transport === "tcp" ? "127.0.0.1" : undefined;
}

async function acknowledgedWithin(ack: Promise<void>, ms: number): Promise<void> {
  const gaveUp = new AbortController();
  await Promise.race([ack.catch(() => undefined), delay(ms, undefined, { signal: gaveUp.signal, ref: false }).catch(() => undefined)]);
  gaveUp.abort();
}
