/**
 * Joining a job that tsmpirun started and supervises: its rendezvous is the store, it prints this
 * rank's failures and ends the job, and it made the job directory the Unix sockets live in.
 */
import type { JobEnv } from "../env.ts";
import type { JobKey } from "../wireup/auth.ts";
import { routeSourceAddressTowards } from "../wireup/bind-address.ts";
import { WireupClient } from "../wireup/client.ts";
import type { Joining } from "./job-link.ts";
import { exitWhenOrphaned } from "./orphan-watch.ts";
import { describeRankState } from "./state-report.ts";

/** Connects to tsmpirun's rendezvous (TSMPI_RENDEZVOUS) and says hello; rank and size are tsmpirun's. */
export async function joinLauncher(job: JobEnv, host: string, key: JobKey | undefined): Promise<Joining> {
  // Ranks run in process groups of their own: if tsmpirun dies, nothing else would end them.
  exitWhenOrphaned(job.rank);
  const { rank, size } = job;
  const client = await WireupClient.connect({ endpoint: job.rendezvous, rank, size, hello: { pid: process.pid, host }, key });
  return {
    rank,
    size,
    jobId: job.jobId,
    jobDir: job.jobDir,
    ipc: job.transport === "ipc",
    tcpAddress: () => tcpAddressOf(job),
    link: {
      store: client,
      launcherReports: true,
      wiredUp: () => client.serveStateRequests(describeRankState),
      reportError: (error) => client.report({ type: "error", rank, ...error }),
      reportAbort: (code, reason) => client.report({ type: "abort", rank, code, reason }),
      async finalize() {
        await client.send({ type: "finalize", rank });
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
