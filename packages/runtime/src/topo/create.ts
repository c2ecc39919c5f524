/**
 * The communicators behind `createCart` (MPI_Cart_create), `CartComm.sub` (MPI_Cart_sub) and the
 * distributed graphs (MPI_Dist_graph_create, once each rank knows its edges: dist-graph.ts). Every
 * member can work out the new group from the topology alone, so one allreduce over the parent is
 * the whole collective: MAX of [context-id proposal, fingerprint, -fingerprint] agrees on the
 * context ids (as dup does, see comm/context-id.ts) and, when max(fingerprint) != min(fingerprint),
 * tells every rank at once that the ranks passed different arguments.
 * Internal to the runtime, not part of its API.
 */
import { allreduce } from "../coll/allreduce/index.ts";
import { adoptContextId, proposeContextId } from "../core/context-id.ts";
import { makeCore, type CommCore } from "../core/comm-core.ts";
import { collectiveMismatch } from "../errors.ts";
import { Op } from "../ops/op.ts";
import { coordsOfRank, fingerprint, gridSize, type CartTopology } from "./topology.ts";

type TopologyCall = "createCart" | "sub" | "createDistGraph" | "createDistGraphAdjacent";

async function agreeOnContext(parent: CommCore, call: TopologyCall, argumentsText: string): Promise<number> {
  const print = fingerprint(argumentsText);
  const [context, highest, negatedLowest] = await allreduce(parent, [proposeContextId(parent.engine), print, -print], Op.MAX, call);
  adoptContextId(parent.engine, context!);
  if (highest !== -negatedLowest!) {
    throw collectiveMismatch(
      { rank: parent.rank, call },
      `the ranks passed different arguments (this rank: ${argumentsText}); every rank must pass the same`,
    );
  }
  return context!;
}

/**
 * MPI_Cart_create without reordering: the grid's rank r is the parent's rank r; parent ranks from
 * product(dims) up take part but get `undefined` (MPI_COMM_NULL). Arguments checked by the caller.
 */
export async function createCartCore(parent: CommCore, topology: CartTopology): Promise<CommCore | undefined> {
  const text = `dims=[${topology.dims.join(",")}] periods=[${topology.periods.join(",")}]`;
  const context = await agreeOnContext(parent, "createCart", text);
  const size = gridSize(topology.dims);
  if (parent.rank >= size) return undefined;
  return makeCore(parent.engine, { rank: parent.rank, group: parent.group.slice(0, size), context });
}

/**
 * MPI_Cart_sub: the members are the grid ranks that share this rank's coordinates in every dropped
 * dimension, in increasing grid rank, which is row-major order of the kept coordinates.
 */
export async function subCore(parent: CommCore, topology: CartTopology, remainDims: readonly boolean[]): Promise<CommCore> {
  const context = await agreeOnContext(parent, "sub", `remainDims=[${remainDims.join(",")}]`);
  const mine = coordsOfRank(topology, parent.rank);
  const members: number[] = [];
  for (let rank = 0; rank < parent.size; rank++) {
    const coords = coordsOfRank(topology, rank);
    if (coords.every((c, d) => remainDims[d] || c === mine[d])) members.push(rank);
  }
  return makeCore(parent.engine, {
    rank: members.indexOf(parent.rank),
    group: members.map((rank) => parent.group[rank]!),
    context,
  });
}

/**
 * A distributed graph's communicator: the parent's group in the parent's order (`reorder` is
 * accepted and ignored), new contexts. Every rank must agree on `reorder` and on whether the graph
 * is weighted (ERR_COLL_MISMATCH otherwise).
 */
export async function distGraphCore(parent: CommCore, call: TopologyCall, reorder: boolean, weighted: boolean): Promise<CommCore> {
  const context = await agreeOnContext(parent, call, `reorder=${reorder} weighted=${weighted}`);
  return makeCore(parent.engine, { rank: parent.rank, group: parent.group, context });
}
