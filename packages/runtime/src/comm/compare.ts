import { CONGRUENT, IDENT } from "../constants.ts";
import type { CommCore } from "../core/comm-core.ts";
import { Group } from "./group.ts";

/**
 * MPI_Comm_compare: IDENT for one communicator, CONGRUENT for two with the same ranks in the same
 * order, SIMILAR for the same ranks in another order, UNEQUAL otherwise. Local: a communicator's
 * group is known to each of its members.
 */
export function compareCores(a: CommCore, b: CommCore): number {
  if (a === b) return IDENT;
  const relation = new Group(a.group, a.engine.worldRank).compare(new Group(b.group, b.engine.worldRank));
  return relation === IDENT ? CONGRUENT : relation;
}
