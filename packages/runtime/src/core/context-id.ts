/**
 * Context ids for new communicators, agreed collectively over the parent: every member proposes the
 * lowest id it has never used, the maximum wins, and it is unused on every member. Ids are never
 * reused, so a message for a freed communicator can never match a new one. Each communicator takes
 * two ids: point-to-point and collective traffic.
 *
 * A proposal is reserved as it is made, so two communicators created at once on one process (over
 * different parents) never propose the same id from that process (MPICH avoids the same race with
 * its context-id mask).
 * Internal to the runtime, not part of its API.
 */
import type { Engine } from "../engine/engine.ts";

export function proposeContextId(engine: Engine): number {
  const proposal = engine.nextContextId;
  engine.nextContextId += 2;
  return proposal;
}

export function adoptContextId(engine: Engine, agreed: number): void {
  engine.nextContextId = Math.max(engine.nextContextId, agreed + 2);
}
