/**
 * The buffer form of bcast: a non-root rank may pass a typed array (MPI_Bcast's buffer, mpi4py's
 * `Bcast`), which then receives the root's data, and must be of the root's kind and length.
 * Internal to the runtime, not part of its API.
 */
import { collectiveMismatch } from "../../errors.ts";
import { isTypedArray } from "../../wire/typed-array.ts";
import type { CollectiveCall } from "../messages.ts";

/** What a non-root rank returns: `received`, or `buffer` filled with it. */
export function intoBuffer<T>(call: CollectiveCall, buffer: unknown, received: T, root: number): T {
  if (!isTypedArray(buffer)) return received;
  if (isTypedArray(received) && received.constructor === buffer.constructor && received.length === buffer.length) {
    (buffer as Uint8Array).set(received as unknown as Uint8Array);
    return buffer as T;
  }
  const got = isTypedArray(received) ? `${received.constructor.name}(${received.length})` : typeof received;
  throw collectiveMismatch(
    { rank: call.core.rank, call: call.name },
    `this rank passed a ${buffer.constructor.name}(${buffer.length}) buffer but root ${root} broadcast ${got}: ` +
      `a non-root rank passes undefined or a typed array of the root's kind and length`,
    "data",
  );
}
