/**
 * A transport moves frames between the ranks of a job; matching, ordering per communicator and
 * encoding live above it. Ranks here are world ranks.
 *
 * Contract (what the matching layer relies on):
 * - frames sent from one rank to another arrive in the order `send` was called (non-overtaking);
 * - `send` never waits for the peer to receive: it resolves once the frames are queued, and the
 *   caller must not change them afterwards;
 * - incoming frames are handed to the `deliver` callback given at construction, one message at a
 *   time; the transport only pulls messages while someone wants them (`want`/`unwant`), so that an
 *   idle rank keeps no pending I/O and its process can exit once the program is done.
 */
export type Frames = [header: Buffer, payload: Buffer];

export type Deliver = (header: Buffer, payload: Buffer) => void;

export interface Transport {
  send(dest: number, frames: Frames): Promise<void>;
  /** Somebody waits for a message: keep pulling until `unwant` balances this call. */
  want(): void;
  unwant(): void;
  /** Pull whatever has already arrived, without waiting for more (used by `iprobe`). */
  poll(): void;
  /** Flush queued sends (bounded by the linger period) and release every socket. */
  close(): Promise<void>;
}
