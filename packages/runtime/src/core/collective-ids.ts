/**
 * Each collective's id, stamped on its messages (header byte 3) so that a rank can tell which call
 * a message belongs to and report a mismatch by name. Append only: the ids are part of the wire
 * format.
 * Internal to the runtime, not part of its API.
 */
export const CollectiveId = {
  barrier: 1,
  bcast: 2,
  reduce: 3,
  allreduce: 4,
  gather: 5,
  scatter: 6,
  allgather: 7,
  alltoall: 8,
  scan: 9,
  exscan: 10,
  reduceScatter: 11,
  neighborAlltoall: 12,
  dup: 13,
  split: 14,
  createCart: 15,
  sub: 16,
  neighborAllgather: 17,
  // 18 is FAILURE_NOTICE_ID.
  create: 19,
  splitType: 20,
  /** Not a collective over the communicator: the members' agreement on createGroup's context. */
  createGroup: 21,
  neighborAllgatherv: 22,
  neighborAlltoallv: 23,
  createDistGraph: 24,
  createDistGraphAdjacent: 25,
  gatherv: 26,
  scatterv: 27,
  allgatherv: 28,
  alltoallv: 29,
} as const;

/**
 * Not a collective: the id of a rank's notice to the others that its call of some sequence number
 * failed (core/collective-monitor.ts). Outside the ids above, which name calls; never reused.
 */
export const FAILURE_NOTICE_ID = 18;
export type CollectiveName = keyof typeof CollectiveId;

export function collectiveName(id: number): string {
  for (const [name, value] of Object.entries(CollectiveId)) if (value === id) return name;
  if (id === FAILURE_NOTICE_ID) return "a failure notice";
  return `collective #${id}`;
}

/**
 * The call a user made that runs a collective: the collective itself, its nonblocking form
 * (`ibcast` is `bcast` on the wire: they must meet), or a communicator call that is a collective
 * of its own (`split`). Errors name it as written.
 */
export type CollectiveCallName = CollectiveName | `i${CollectiveName}`;

/** The collective a call runs (its id on the wire): `ibcast` -> `bcast`, `split` -> `split`. */
export function operationOf(call: CollectiveCallName): CollectiveName {
  return call in CollectiveId ? (call as CollectiveName) : (`${call.charAt(1).toLowerCase()}${call.slice(2)}` as CollectiveName);
}

