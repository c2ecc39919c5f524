import { checkCollectiveArguments } from "../coll/collective.ts";
import { COMM_TYPE_SHARED, UNDEFINED } from "../constants.ts";
import { badArgument } from "../errors.ts";
import type { CommCore } from "../core/comm-core.ts";
import { splitCore } from "./split.ts";

/**
 * MPI_Comm_split_type with MPI_COMM_TYPE_SHARED: a split whose colour is the host. Every rank knows
 * since wire-up which ranks share its host (the transport compares the host identities they
 * published), so the colour needs no exchange of its own: the lowest parent rank on this rank's
 * host, the same for every rank there and different on every other host. `UNDEFINED` as the type
 * gives `undefined`, as in split.
 */
export async function splitTypeCore(parent: CommCore, splitType: number, key: number): Promise<CommCore | undefined> {
  checkCollectiveArguments(parent, "splitType", () => {
    if (splitType !== COMM_TYPE_SHARED && splitType !== UNDEFINED) {
      throw badArgument({ rank: parent.rank, call: "splitType" }, "splitType", splitType, "COMM_TYPE_SHARED or UNDEFINED");
    }
  });
  const color = splitType === UNDEFINED ? UNDEFINED : parent.group.findIndex((worldRank) => parent.engine.sameHost(worldRank));
  return splitCore(parent, color, key, "splitType");
}
