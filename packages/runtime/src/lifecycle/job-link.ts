/**
 * What differs between the ways a rank joins its job (tsmpirun's rendezvous, Slurm's PMI-2 server,
 * rank 0's rendezvous on Kubernetes): where it meets the others (a {@link WireupStore}), where it
 * listens, and who ends the job when it fails. init.ts does the rest the same way for all three.
 * Internal to the runtime.
 */
import type { WireupStore } from "../wireup/store.ts";

/** This rank's tie to its job after init, for abort, uncaught errors and finalize. */
export interface JobLink {
  /** Where the rank publishes its address and learns the others'. */
  readonly store: WireupStore;
  /**
   * Whether a launcher prints this rank's failures (tsmpirun does, with the rank and host); when
   * not, the rank prints them on its own stderr before it ends the job.
   */
  readonly launcherReports: boolean;
  /**
   * Every rank's address is known: the store is not needed again (rank 0's rendezvous may close).
   * `peerFinalized` hears of ranks that finalize without having sent this rank anything, where
   * whoever started the job relays that (tsmpirun does; see `finalizing`).
   */
  wiredUp(peerFinalized: (rank: number) => void): void;
  /**
   * This rank is finalizing and has sent nothing to the ranks `to`: tell them, if there is a
   * launcher to relay it (engine/peer-finalized.ts). Absent where there is none (Slurm, Kubernetes).
   */
  finalizing?(to: number[]): void;
  /**
   * Ends the job because of an uncaught error in this rank; resolves once the news has left (the
   * caller exits after). `undefined`: there is nobody to tell (the rank's non-zero exit is the news).
   */
  reportError(error: { message: string; stack: string }): Promise<void> | undefined;
  /** Likewise for `abort(code)`. */
  reportAbort(code: number, reason: string): Promise<void> | undefined;
  /** Leaves the job in order (after the engine has handed over its messages). */
  finalize(): Promise<void>;
  /**
   * Sends this rank's communication trace (`tsmpirun --trace`) to whoever collects it, first thing in
   * finalize: handing over the messages may wait for other ranks, and a job ended meanwhile would
   * lose it. Absent when nobody collects one.
   */
  sendTrace?(): void;
}

/** What joining gave this rank, before it binds its sockets. */
export interface Joining {
  rank: number;
  size: number;
  /** Names the job's shared-memory segments. */
  jobId: string;
  /** The launcher's job directory for the Unix socket; `undefined`: the rank makes a private one. */
  jobDir: string | undefined;
  /** Whether to listen on a Unix socket (for ranks of this host) at all. */
  ipc: boolean;
  /**
   * Whether a launcher removes the job's shared-memory names once the job has ended, a SIGKILL's
   * leftovers included (tsmpirun and its agents do): then a name may outlive init (transport/inbox.ts).
   */
  launcherRemovesSegments: boolean;
  /**
   * Where to listen on tcp, for ranks of other hosts; `undefined` for none. A function: it may fail
   * (no route), and by the time it runs the link exists, so that the failure can end the job.
   */
  tcpAddress(): Promise<string | undefined>;
  link: JobLink;
}
