/**
 * Distributed-graph topologies (MPI_Dist_graph_create_adjacent, MPI_Dist_graph_create): the
 * arguments' checks, the exchange that tells each rank its own edges, and the neighbourhood the
 * neighbourhood collectives follow.
 *
 * - Adjacent form: each rank names its own in- and out-neighbours. One alltoall tells every rank
 *   which edges the others named towards it (with their weights), so a rank can compare them with
 *   its own sources: a rank that lists j as destination where j does not list it as source is
 *   found by j.
 * - General form: any rank names edges of any rank. One alltoall sends each edge to both of its
 *   ends. A rank's neighbours come ordered by the rank that named the edge, then in the order that
 *   rank named them (the order MPICH's MPI_Dist_graph_create gives).
 *
 * Repeated edges are kept, and the m-th edge from i to j meets the m-th: a message travels on the
 * step m, counted apart per peer at both ends.
 * Internal to the runtime, not part of its API.
 */
import { alltoall } from "../coll/alltoall/index.ts";
import type { Neighbourhood, NeighbourLink } from "../coll/neighbor/neighbourhood.ts";
import type { CommCore } from "../core/comm-core.ts";
import { checkCollectiveArguments } from "../coll/collective.ts";
import { badArgument, invalidArguments, rankOutOfRange, rankRange } from "../errors.ts";
import { distGraphCore } from "./create.ts";

/**
 * A rank's view of a distributed graph, what `DistGraphComm.distNeighbors()` returns
 * (MPI_Dist_graph_neighbors): its in- and out-neighbours, with weights when the graph has them.
 */
export interface DistNeighbors {
  /** The in-neighbours, in the order of a neighbourhood collective's results. */
  readonly sources: readonly number[];
  /** The out-neighbours, in the order of a neighbourhood collective's items. */
  readonly destinations: readonly number[];
  /** The in-edges' weights, `undefined` for an unweighted graph (MPI_UNWEIGHTED). */
  readonly sourceWeights: readonly number[] | undefined;
  /** The out-edges' weights, `undefined` for an unweighted graph. */
  readonly destWeights: readonly number[] | undefined;
}

/** Options of `createDistGraphAdjacent` (MPI_Dist_graph_create_adjacent). */
export interface DistGraphAdjacentOptions {
  /** Weight of each in-edge, one per entry of `sources` (integers >= 0). Give both weight arrays or neither. */
  readonly sourceWeights?: readonly number[] | undefined;
  /** Weight of each out-edge, one per entry of `destinations` (integers >= 0). */
  readonly destWeights?: readonly number[] | undefined;
  /** Accepted for MPI's sake; the rank order is kept whatever it says. */
  readonly reorder?: boolean | undefined;
}

/** Options of `createDistGraph` (MPI_Dist_graph_create). */
export interface DistGraphOptions {
  /** Weight of each edge this rank names, one per entry of `destinations` (integers >= 0). */
  readonly weights?: readonly number[] | undefined;
  /** Accepted for MPI's sake; the rank order is kept whatever it says. */
  readonly reorder?: boolean | undefined;
}

type GraphCall = "createDistGraph" | "createDistGraphAdjacent";

function checkRanks(core: CommCore, call: GraphCall, argument: string, ranks: unknown): asserts ranks is number[] {
  if (!Array.isArray(ranks)) throw badArgument({ rank: core.rank, call }, argument, ranks, `an array of ranks ${rankRange(core.size)}`);
  for (const [index, rank] of ranks.entries()) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= core.size) throw rankOutOfRange({ rank: core.rank, call }, `${argument}[${index}]`, rank, core.size);
  }
}

function checkWeights(core: CommCore, call: GraphCall, argument: string, weights: unknown, length: number, what: string): asserts weights is number[] | undefined {
  if (weights === undefined) return;
  if (!Array.isArray(weights) || weights.length !== length) {
    throw badArgument({ rank: core.rank, call }, argument, weights, `an array of ${length} weights, one per entry of ${what}`);
  }
  for (const [index, weight] of weights.entries()) {
    if (!Number.isInteger(weight) || weight < 0) throw badArgument({ rank: core.rank, call }, `${argument}[${index}]`, weight, "an integer >= 0");
  }
}

function checkReorder(core: CommCore, call: GraphCall, reorder: unknown): void {
  if (reorder !== undefined && typeof reorder !== "boolean") throw badArgument({ rank: core.rank, call }, "reorder", reorder, "true or false");
}

/** ERR_ARG / ERR_RANK unless the arguments of the adjacent form describe this rank's edges. */
function checkAdjacentArguments(core: CommCore, sources: unknown, destinations: unknown, options: DistGraphAdjacentOptions): void {
  const call = "createDistGraphAdjacent";
  if (options === null || typeof options !== "object") throw badArgument({ rank: core.rank, call }, "options", options, "an object { sourceWeights?, destWeights?, reorder? }");
  checkRanks(core, call, "sources", sources);
  checkRanks(core, call, "destinations", destinations);
  checkWeights(core, call, "sourceWeights", options.sourceWeights, sources.length, "sources");
  checkWeights(core, call, "destWeights", options.destWeights, destinations.length, "destinations");
  if ((options.sourceWeights === undefined) !== (options.destWeights === undefined)) {
    throw invalidArguments(
      { rank: core.rank, call },
      `${options.sourceWeights === undefined ? "destWeights" : "sourceWeights"} is given without ${options.sourceWeights === undefined ? "sourceWeights" : "destWeights"}: give both weight arrays or neither`,
      "options",
    );
  }
  checkReorder(core, call, options.reorder);
}

/** ERR_ARG / ERR_RANK unless the arguments of the general form describe edges of the communicator. */
function checkGraphArguments(core: CommCore, sources: unknown, degrees: unknown, destinations: unknown, options: DistGraphOptions): void {
  const call = "createDistGraph";
  if (options === null || typeof options !== "object") throw badArgument({ rank: core.rank, call }, "options", options, "an object { weights?, reorder? }");
  checkRanks(core, call, "sources", sources);
  if (!Array.isArray(degrees) || degrees.length !== sources.length) {
    throw badArgument({ rank: core.rank, call }, "degrees", degrees, `an array of ${sources.length} degrees, one per entry of sources`);
  }
  let edges = 0;
  for (const [index, degree] of degrees.entries()) {
    if (!Number.isInteger(degree) || degree < 0) throw badArgument({ rank: core.rank, call }, `degrees[${index}]`, degree, "an integer >= 0");
    edges += degree as number;
  }
  checkRanks(core, call, "destinations", destinations);
  if (destinations.length !== edges) {
    throw invalidArguments(
      { rank: core.rank, call },
      `degrees add up to ${edges} edges but destinations holds ${destinations.length}: destinations lists the edges of sources[0], then of sources[1], ...`,
      "destinations",
    );
  }
  checkWeights(core, call, "weights", options.weights, destinations.length, "destinations");
  checkReorder(core, call, options.reorder);
}

/** What one rank tells another of the edges it named from itself to it: their weights, or their count. */
type AdjacentNotice = number[] | number;

/**
 * Exchanges the adjacent form's out-edges: returns this rank's topology and, when its sources
 * disagree with the destinations the others named towards it, what is wrong, in words.
 */
async function exchangeAdjacentEdges(core: CommCore, sources: readonly number[], destinations: readonly number[], options: DistGraphAdjacentOptions): Promise<{ topology: DistNeighbors; problem: string | undefined }> {
  const { sourceWeights, destWeights } = options;
  const notices: AdjacentNotice[] = Array.from({ length: core.size }, () => (destWeights === undefined ? 0 : []));
  destinations.forEach((dest, index) => {
    const notice = notices[dest]!;
    if (typeof notice === "number") notices[dest] = notice + 1;
    else notice.push(destWeights![index]!);
  });
  const received = await alltoall(core, notices, "createDistGraphAdjacent");
  const problems: string[] = [];
  received.forEach((notice, from) => {
    const listed = sources.flatMap((source, index) => (source === from ? [sourceWeights?.[index] ?? 0] : []));
    const named = typeof notice === "number" ? notice : notice.length;
    if (named !== listed.length) {
      problems.push(`rank ${from} lists ${core.rank} as a destination ${times(named)} but rank ${core.rank} lists ${from} as a source ${times(listed.length)}`);
    } else if (typeof notice !== "number" && sourceWeights !== undefined && notice.some((weight, m) => weight !== listed[m])) {
      problems.push(`the edges from rank ${from} to rank ${core.rank} have weights [${notice.join(", ")}] at rank ${from} but [${listed.join(", ")}] at rank ${core.rank}`);
    }
  });
  const topology = { sources: [...sources], destinations: [...destinations], sourceWeights: sourceWeights && [...sourceWeights], destWeights: destWeights && [...destWeights] };
  const problem = problems.length === 0 ? undefined : `${problems.join("; ")}: every edge must be named at both ends, with the same weight`;
  return { topology, problem };
}

const times = (n: number): string => (n === 1 ? "once" : `${n} times`);

/** One edge on its way to one of its ends: the rank at the other end, and its weight. */
interface EdgeEnds {
  /** Edges whose source is the receiver: [destination, weight] each. */
  readonly out: number[];
  /** Edges whose destination is the receiver: [source, weight] each. */
  readonly in: number[];
}

/** The general form: sends every edge a rank named to both its ends and returns this rank's topology. */
async function redistributeEdges(
  core: CommCore,
  sources: readonly number[],
  degrees: readonly number[],
  destinations: readonly number[],
  weights: readonly number[] | undefined,
): Promise<DistNeighbors> {
  const parcels: EdgeEnds[] = Array.from({ length: core.size }, () => ({ out: [], in: [] }));
  let edge = 0;
  sources.forEach((source, index) => {
    for (let k = 0; k < degrees[index]!; k++, edge++) {
      const dest = destinations[edge]!;
      const weight = weights?.[edge] ?? 0;
      parcels[source]!.out.push(dest, weight);
      parcels[dest]!.in.push(source, weight);
    }
  });
  const received = await alltoall(core, parcels, "createDistGraph");
  const topology = { sources: [] as number[], destinations: [] as number[], sourceWeights: [] as number[], destWeights: [] as number[] };
  for (const parcel of received) {
    for (let i = 0; i < parcel.out.length; i += 2) topology.destinations.push(parcel.out[i]!), topology.destWeights.push(parcel.out[i + 1]!);
    for (let i = 0; i < parcel.in.length; i += 2) topology.sources.push(parcel.in[i]!), topology.sourceWeights.push(parcel.in[i + 1]!);
  }
  const weighted = weights !== undefined;
  return { ...topology, sourceWeights: weighted ? topology.sourceWeights : undefined, destWeights: weighted ? topology.destWeights : undefined };
}

/** The communicator and its topology on this rank. */
export interface DistGraph {
  readonly core: CommCore;
  readonly topology: DistNeighbors;
}

/**
 * MPI_Dist_graph_create_adjacent over `parent`. Collective: a bad argument on one rank, or edges
 * named at one end only, fail the call on every rank (checkCollectiveArguments), the latter
 * reported by the rank at the end that does not name the edge.
 */
export async function createDistGraphAdjacent(
  parent: CommCore,
  sources: readonly number[],
  destinations: readonly number[],
  options: DistGraphAdjacentOptions,
): Promise<DistGraph> {
  const call = "createDistGraphAdjacent";
  checkCollectiveArguments(parent, call, () => checkAdjacentArguments(parent, sources, destinations, options));
  const { topology, problem } = await exchangeAdjacentEdges(parent, sources, destinations, options);
  checkCollectiveArguments(parent, call, () => {
    if (problem !== undefined) throw invalidArguments({ rank: parent.rank, call }, problem, "sources");
  });
  const core = await distGraphCore(parent, call, options.reorder ?? false, topology.sourceWeights !== undefined);
  return { core, topology };
}

/** MPI_Dist_graph_create over `parent`. Collective: a bad argument on one rank fails it on every rank. */
export async function createDistGraph(
  parent: CommCore,
  sources: readonly number[],
  degrees: readonly number[],
  destinations: readonly number[],
  options: DistGraphOptions,
): Promise<DistGraph> {
  const call = "createDistGraph";
  checkCollectiveArguments(parent, call, () => checkGraphArguments(parent, sources, degrees, destinations, options));
  const topology = await redistributeEdges(parent, sources, degrees, destinations, options.weights);
  const core = await distGraphCore(parent, call, options.reorder ?? false, options.weights !== undefined);
  return { core, topology };
}

/** Links to `ranks` in order, the m-th link to a rank on step m. */
function links(ranks: readonly number[]): NeighbourLink[] {
  const seen = new Map<number, number>();
  return ranks.map((rank) => {
    const step = seen.get(rank) ?? 0;
    seen.set(rank, step + 1);
    return { rank, step };
  });
}

/** The graph as a neighbourhood: results in the order of `sources`, items in the order of `destinations`. */
export function graphNeighbourhood(topology: DistNeighbors): Neighbourhood {
  return {
    sources: links(topology.sources),
    destinations: links(topology.destinations),
    destinationOrder: "one per destination, in the order of destinations",
    sourceOrder: "one per source, in the order of sources",
  };
}
