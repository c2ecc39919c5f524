import { allreduce } from "../coll/allreduce/index.ts";
import { Op } from "../ops/op.ts";
import { adoptContextId, proposeContextId } from "../core/context-id.ts";
import { makeCore, type CommCore } from "../core/comm-core.ts";

/** MPI_Comm_dup (`idup`: MPI_Comm_idup): same group, same ranks, new contexts. Collective over `parent`. */
export async function dupCore(parent: CommCore, call: "dup" | "idup" = "dup"): Promise<CommCore> {
  const context = await allreduce(parent, proposeContextId(parent.engine), Op.MAX, call);
  adoptContextId(parent.engine, context);
  return makeCore(parent.engine, { rank: parent.rank, group: parent.group, context });
}
