/**
 * Each collective's id, stamped on its messages (header byte 3) so that a rank can tell which
 * collective a message belongs to. Append only: the ids are part of the wire format.
 * @internal
 */
export const CollectiveId = {
  barrier: 1,
} as const;
export type CollectiveName = keyof typeof CollectiveId;
