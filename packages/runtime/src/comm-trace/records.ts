/**
 * What a rank records for `tsmpirun --trace FILE`, and sends to the launcher as it leaves (the
 * `trace` message of wireup/protocol.ts). Deliberately raw: the launcher turns the records of every
 * rank into the Trace Event Format file and pairs each send with its receive there, since only it
 * sees both ends. Times are microseconds since the launcher's start of the job (TSMPI_TRACE).
 * Internal to the runtime, not part of its API.
 */

/** A call from its start to its end: a complete slice (`ph: "X"`) on the rank's track. */
export interface TraceSlice {
  readonly kind: "slice";
  /** As the user called it: `send`, `irecv`, `wait`, `allreduce`. */
  readonly name: string;
  readonly startUs: number;
  readonly endUs: number;
  /** Shown in the slice's details: peer, tag, bytes, communicator, sequence, algorithm... */
  readonly args: Record<string, string | number | boolean>;
}

/**
 * A user-level point-to-point message handed to the transport. The k-th send from rank A to B on
 * (context, tag) is the one the k-th receive at B from A on (context, tag) takes (MPI's
 * non-overtaking rule), so the launcher pairs them by counting, with nothing added to the wire.
 */
export interface TraceSend {
  readonly kind: "send";
  readonly atUs: number;
  /** World ranks: the communicator's ranks are translated, so that both ends name the same pair. */
  readonly to: number;
  /** The communicator's point-to-point context id (0: the world). */
  readonly context: number;
  readonly tag: number;
  readonly bytes: number;
}

/** A user-level message taken by a receive (the envelope it matched, wildcards resolved). */
export interface TraceReceive {
  readonly kind: "receive";
  readonly atUs: number;
  /** World rank of the sender. */
  readonly from: number;
  readonly context: number;
  readonly tag: number;
  readonly bytes: number;
}

export type TraceRecord = TraceSlice | TraceSend | TraceReceive;

/** One rank's whole trace. */
export interface RankCommTrace {
  /** In the order they happened (sends and receives in the order they were posted and matched). */
  records: TraceRecord[];
  /** Records left out once the rank's buffer was full. */
  dropped: number;
}
