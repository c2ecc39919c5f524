import type { ChildProcess } from "node:child_process";
import type { RankLaunchSpec } from "../procs/spawn.ts";

/** What the launcher holds of one started rank, wherever it runs: a child process or its stand-in. */
export type RankChild = Pick<ChildProcess, "pid" | "stdin" | "stdout" | "stderr" | "once">;

/**
 * A host of the job as the supervisor sees it: it starts that host's ranks and signals them.
 * `local-ranks.ts` starts them as children of tsmpirun (a job on one host); `agent-host.ts` hands
 * them to a tsmpi agent on the host, started over ssh (`ssh.ts`), srun (`srun.ts`) or directly.
 */
export interface RankHost {
  /** The host's name, as printed in failure reports. */
  readonly hostname: string;
  /** Starts these ranks (all of this host's, in one call). */
  start(specs: readonly RankLaunchSpec[]): RankChild[];
  /** Ends every rank of the host that is still running (SIGTERM, then SIGKILL after the grace). */
  endAll(graceMs: number): Promise<void>;
  /** Kills whatever is left of the host's ranks' process groups (stray grandchildren). */
  killLeftovers(): void;
  /** Why the host could not run its ranks, if it said so (e.g. a path missing there). */
  readonly failure?: string | undefined;
  /** Why the host was lost (its agent or connection ended before its ranks), if it was. */
  readonly lostReason?: string | undefined;
}
