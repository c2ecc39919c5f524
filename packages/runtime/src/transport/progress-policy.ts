/**
 * How long a rank waiting for a message polls its shared-memory queues before it goes to sleep and
 * asks its senders for a doorbell (transport/same-host.ts). Polling hears a message in well under
 * a microsecond, but only when the sender has a core of its own to run on: when the ranks of a
 * host outnumber the cores it may use, every microsecond spent polling is taken from the rank it
 * waits for (Open MPI's mpi_yield_when_idle, MPICH's MPIR_CVAR_POLLS_BEFORE_YIELD face the same
 * choice). So it polls only when the host's ranks fit its cores, and for about the cost of a
 * wake-up through the socket, which is what polling longer would save.
 *
 * Cores: what this process may run on (os.availableParallelism follows the affinity mask, so
 * `taskset` and cpusets count, and so does a launcher's binding). `TSMPI_SPIN_US` overrides the
 * budget (0: never poll beyond one look).
 * Internal to the runtime, not part of its API.
 */
import { availableParallelism } from "node:os";
import { spinBudgetOverrideUs } from "../env.ts";

/** Microseconds of polling when the ranks fit the cores: about one wake-up through the socket. */
const SPIN_US_WHEN_UNDERSUBSCRIBED = 100;

/** The polling budget in microseconds for a rank sharing its host with `localRanks - 1` others. */
export function spinBudgetUs(localRanks: number): number {
  return spinBudgetOverrideUs() ?? (localRanks <= availableParallelism() ? SPIN_US_WHEN_UNDERSUBSCRIBED : 0);
}
