/**
 * A transport moves messages between the ranks of a job; matching, ordering per communicator and
 * encoding live above it. Ranks here are world ranks.
 *
 * Contract (what the matching layer relies on):
 * - messages sent from one rank to another arrive in the order `send` was called (non-overtaking);
 * - `send` copies the payload before it returns (so the caller may change or reuse it at once) and
 *   never waits for the peer to receive: it resolves once the message is queued;
 * - incoming messages are handed to the `deliver` callback given at construction, one at a time,
 *   as frames that wire/header.ts decodes; the transport only pulls messages while someone wants
 *   them (`want`/`unwant`), so that an idle rank keeps no pending I/O and its process can exit
 *   once the program is done.
 */
import type { EncodedPayload } from "../wire/codec.ts";
import type { Envelope } from "../wire/header.ts";

export type Deliver = (frames: Buffer[]) => void;

export interface Transport {
  /**
   * Name prefix for POSIX shared-memory segments when every rank of the job can map them (one host,
   * shared memory allowed); `undefined` otherwise. Shared-memory collectives use it.
   */
  readonly sharedMemoryPrefix: string | undefined;
  /** Whether a world rank runs on this rank's host (so that shared memory with it works). */
  sameHost(worldRank: number): boolean;
  send(dest: number, envelope: Envelope, payload: EncodedPayload): Promise<void>;
  /** Whether this rank has sent `dest` anything (so a later message to it may have to wait behind that). */
  hasSentTo(dest: number): boolean;
  /** Somebody waits for a message: keep pulling until `unwant` balances this call. */
  want(): void;
  unwant(): void;
  /** Pull whatever has already arrived, without waiting for more (used by `iprobe`). */
  poll(): void;
  /** Like `poll`, resolving once everything that had arrived has been delivered. */
  drain(): Promise<void>;
  /** Flush queued sends (bounded by the linger period) and release every socket. */
  close(): Promise<void>;
}
