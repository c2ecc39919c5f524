import { allgather } from "../coll/allgather/index.ts";
import { checkCollectiveArguments } from "../coll/collective.ts";
import { UNDEFINED } from "../constants.ts";
import { badArgument } from "../errors.ts";
import { adoptContextId, proposeContextId } from "../core/context-id.ts";
import { makeCore, type CommCore } from "../core/comm-core.ts";

/**
 * MPI_Comm_split: ranks with the same `color` form a new communicator, ordered by `key` and then by
 * their rank in `parent`; `UNDEFINED` as colour gives `undefined`. One allgather of
 * (colour, key, context-id proposal) over `parent` carries everything.
 */
export async function splitCore(parent: CommCore, color: number, key: number, call: "split" | "splitType" = "split"): Promise<CommCore | undefined> {
  checkCollectiveArguments(parent, call, () => {
    if (!(color === UNDEFINED || (Number.isInteger(color) && color >= 0))) {
      throw badArgument({ rank: parent.rank, call }, "color", color, "an integer >= 0 or UNDEFINED");
    }
    if (!Number.isInteger(key)) {
      throw badArgument({ rank: parent.rank, call }, "key", key, "an integer");
    }
  });
  const entries = await allgather(parent, [color, key, proposeContextId(parent.engine)] as const, call);
  const context = Math.max(...entries.map((entry) => entry[2]));
  adoptContextId(parent.engine, context);
  if (color === UNDEFINED) return undefined;
  const members = entries
    .map(([memberColor, memberKey], parentRank) => ({ memberColor, memberKey, parentRank }))
    .filter((member) => member.memberColor === color)
    .sort((a, b) => a.memberKey - b.memberKey || a.parentRank - b.parentRank);
  const rank = members.findIndex((member) => member.parentRank === parent.rank);
  return makeCore(parent.engine, { rank, group: members.map((member) => parent.group[member.parentRank]!), context });
}
