/**
 * Joining a job that `srun --mpi=pmi2` started (no tsmpirun): rank and size come from Slurm's PMI-2
 * server, whose key/value store is the wire-up store. Nothing watches over the ranks but Slurm, so a
 * failing rank prints its own error and asks Slurm to end the step (PMI-2 abort: Slurm kills every
 * task). Each rank listens on a Unix socket in a private directory, for ranks of its own host, and
 * on tcp at the address of its route to the node srun runs on, for the others. Connections are
 * not encrypted: Slurm makes no key, and a key given in TSMPI_KEY_FILE is used if there is one.
 */
import type { Pmi2Env } from "../env.ts";
import { routeSourceAddress } from "../wireup/bind-address.ts";
import { Pmi2Client } from "../wireup/pmi2.ts";
import type { Joining } from "./job-link.ts";

/** Connects to the PMI-2 server over the inherited PMI_FD; rank and size are the server's. */
export async function joinPmi2(job: Pmi2Env): Promise<Joining> {
  const pmi = await Pmi2Client.connect();
  return {
    rank: pmi.rank,
    size: pmi.size,
    jobId: pmi.jobId,
    jobDir: undefined,
    ipc: true,
    launcherRemovesSegments: false,
    tcpAddress: () => tcpAddressOf(job),
    link: {
      store: pmi,
      launcherReports: false,
      wiredUp: () => undefined,
      reportError: (error) => pmi.abort(1, error.message),
      reportAbort: (code, reason) => pmi.abort(code, reason),
      finalize: () => pmi.finalize(),
    },
  };
}

/**
 * The launch node's route, not "the first interface": on a multi-homed node that may be one the
 * other nodes cannot reach (Open MPI's docker0 hangs). srun's node reaches every node of the step.
 */
async function tcpAddressOf(job: Pmi2Env): Promise<string> {
  if (job.bindAddress !== undefined && job.bindAddress !== "auto") return job.bindAddress;
  if (job.launchNodeAddress === undefined) {
    throw new Error("SLURM_LAUNCH_NODE_IPADDR is not set, so this rank cannot tell which address other nodes reach it at: set TSMPI_BIND_ADDRESS");
  }
  return routeSourceAddress(job.launchNodeAddress);
}
