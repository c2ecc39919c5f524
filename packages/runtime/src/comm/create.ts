import { allgather } from "../coll/allgather/index.ts";
import { checkCollectiveArguments } from "../coll/collective.ts";
import { UNDEFINED } from "../constants.ts";
import { adoptContextId, proposeContextId } from "../core/context-id.ts";
import { makeCore, type CommCore } from "../core/comm-core.ts";
import { collectiveMismatch, wrongGroup } from "../errors.ts";
import { fingerprint } from "../topo/topology.ts";
import { Group, groupMembers } from "./group.ts";

/**
 * Checks that `group` is a Group whose members all belong to `parent` (ERR_GROUP otherwise) and
 * returns its members' world ranks.
 */
export function membersInParent(parent: CommCore, group: unknown, call: "create" | "createGroup"): readonly number[] {
  const site = { rank: parent.rank, call };
  if (!(group instanceof Group)) throw wrongGroup(site, `group must be a Group (got ${group === null ? "null" : typeof group})`);
  const members = groupMembers(group);
  const outside = members.find((worldRank) => !parent.group.includes(worldRank));
  if (outside !== undefined) {
    throw wrongGroup(site, `group holds world rank ${outside}, which is not in this communicator: the group must be a subset of the communicator's group`);
  }
  return members;
}

/** A member's fingerprint of its group: equal on two ranks when they passed the same group. */
export function groupFingerprint(members: readonly number[]): number {
  return fingerprint(members.join(","));
}

/**
 * MPI_Comm_create, collective over `parent`: the members of `group` get a communicator of it, the
 * other ranks `undefined`. As MPI allows since 2.2, ranks may pass different groups if those are
 * disjoint (each rank then gets the communicator of the group it is in).
 *
 * One allgather of (context-id proposal, group fingerprint, whether the rank is in its group, group
 * size) agrees on the context ids and lets every rank reach the same verdict on the groups: they
 * are consistent exactly when, for every group passed, the ranks in it that passed it number its
 * size (then each of its members passed it).
 */
export async function createCore(parent: CommCore, group: Group): Promise<CommCore | undefined> {
  let members: readonly number[] = [];
  checkCollectiveArguments(parent, "create", () => {
    members = membersInParent(parent, group, "create");
  });
  const member = group.rank !== UNDEFINED;
  const entries = await allgather(parent, [proposeContextId(parent.engine), groupFingerprint(members), member ? 1 : 0, members.length] as const, "create");
  const context = Math.max(...entries.map((entry) => entry[0]));
  adoptContextId(parent.engine, context);
  const passedBy = new Map<number, number>();
  for (const [, print, inGroup] of entries) if (inGroup === 1) passedBy.set(print, (passedBy.get(print) ?? 0) + 1);
  const astray = entries.findIndex(([, print, , size]) => size > 0 && passedBy.get(print) !== size);
  if (astray >= 0) {
    throw collectiveMismatch(
      { rank: parent.rank, call: "create" },
      `the ranks passed groups that are neither the same nor disjoint (rank ${astray}'s group of ${entries[astray]![3]} is not what its members passed); ` +
        "every rank must pass the same group, or each the one it is in, with the groups disjoint",
      "group",
    );
  }
  return member ? makeCore(parent.engine, { rank: group.rank, group: members, context }) : undefined;
}
