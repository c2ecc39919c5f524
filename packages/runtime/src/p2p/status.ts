/**
 * The status of a completed receive (MPI_Status): who sent the message, with which tag, how large
 * it was, and whether the receive was cancelled instead (MPI_Test_cancelled).
 */
import { ANY_TAG, PROC_NULL } from "../constants.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { PayloadFormat } from "../wire/header.ts";
import { TYPED_ARRAY_CLASSES } from "../wire/typed-array.ts";
import type { ProbeStatus } from "./probe.ts";

/**
 * What a completed receive got (MPI_Status; mpi4py's `MPI.Status`): `source`, `tag`, `bytes` (of
 * the encoded payload: the raw bytes for a typed array), `count` (MPI_Get_count: elements of a
 * typed array, 1 for any other value, 0 for a receive from PROC_NULL or a cancelled one) and
 * `cancelled` (MPI_Test_cancelled).
 */
export interface Status extends ProbeStatus {
  count: number;
  cancelled: boolean;
}

/** A receive from PROC_NULL: MPI's empty status. */
export const NULL_RECEIVE_STATUS: Status = Object.freeze({ source: PROC_NULL, tag: ANY_TAG, bytes: 0, count: 0, cancelled: false });

/** A receive cancelled before any message matched it. */
export const CANCELLED_STATUS: Status = Object.freeze({ source: PROC_NULL, tag: ANY_TAG, bytes: 0, count: 0, cancelled: true });

export function statusOf(message: IncomingMessage): Status {
  const bytes = message.payload.byteLength;
  return { source: message.source, tag: message.tag, bytes, count: countOf(message), cancelled: false };
}

function countOf(message: IncomingMessage): number {
  if (message.format !== PayloadFormat.TYPED_ARRAY) return 1;
  const elementBytes = TYPED_ARRAY_CLASSES[message.elementKind]?.BYTES_PER_ELEMENT ?? 1;
  return message.payload.byteLength / elementBytes;
}

/**
 * What a receive request knows beyond its promise: its status once matched, and how to withdraw it
 * before that. Not exported from the package, yet left in the declarations: recv.ts names it.
 */
export interface ReceiveHandle {
  readonly status: Status | undefined;
  /** Withdraws the receive if no message has matched it yet; true if it did. */
  cancel(): boolean;
}
