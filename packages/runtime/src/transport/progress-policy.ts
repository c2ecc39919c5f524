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
import { blockBudgetOverrideUs, spinBudgetOverrideUs } from "../env.ts";

/** Microseconds of polling when the ranks fit the cores: about one wake-up through the socket. */
const SPIN_US_WHEN_UNDERSUBSCRIBED = 100;

/** The polling budget in microseconds for a rank sharing its host with `localRanks - 1` others. */
export function spinBudgetUs(localRanks: number): number {
  return spinBudgetOverrideUs() ?? (localRanks <= availableParallelism() ? SPIN_US_WHEN_UNDERSUBSCRIBED : 0);
}

/** Microseconds a meeting's waiter polls while yielding its core, when the ranks outnumber the cores. */
const YIELD_POLL_US = 20;

/**
 * How long a rank waiting at a collective's shared-memory meeting (coll/meeting-wait.ts) polls
 * while it gives its core away between looks (sched_yield), before it sleeps in the futex: only
 * when the host's ranks outnumber its cores, where the rank it waits for may be the one that gets
 * the core. The last ranks of a meeting tend to arrive within such a spell, and a yield costs less
 * than a futex wake-up. `TSMPI_SPIN_US=0` turns it off too.
 */
export function yieldPollBudgetUs(localRanks: number): number {
  return spinBudgetOverrideUs() === 0 || localRanks <= availableParallelism() ? 0 : YIELD_POLL_US;
}

/** Microseconds a wait may block in the futex before the socket takes over. */
const BLOCK_US = 1000;

/**
 * How long a waiting rank may sleep in the futex (transport/futex.ts) after polling, in
 * microseconds: a sender wakes it there directly, where the socket's doorbell goes through two
 * ZeroMQ threads. Only when the host's ranks outnumber its cores (so that they do not poll):
 * Linux tends to run a woken rank on its waker's core, and a waker that then polls for its own
 * answer keeps it from running for its whole polling budget. The event loop stands still while a
 * rank sleeps there, so only when every rank of the job is on this host (a message from another
 * host comes through the socket, which no futex wake announces), and for about a millisecond: a
 * bound on how late a timer or the launcher is heard. `TSMPI_BLOCK_US` overrides it (0: never).
 */
export function blockBudgetUs(localRanks: number, worldSize: number): number {
  return blockBudgetOverrideUs() ?? (localRanks === worldSize && localRanks > availableParallelism() ? BLOCK_US : 0);
}
