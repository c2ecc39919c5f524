/**
 * `DistGraphComm`, the communicator with a distributed graph (MPI_Dist_graph_*). The graph's
 * checks and the exchange that tells each rank its edges are in topo/dist-graph.ts;
 * `Comm.createDistGraph*` make a DistGraphComm through topology-comms.ts, registered below, since
 * this module imports comm.ts.
 */
import { DIST_GRAPH } from "../constants.ts";
import type { CommCore } from "../core/comm-core.ts";
import { graphNeighbourhood, type DistNeighbors } from "../topo/dist-graph.ts";
import { TopoComm } from "./topo-comm.ts";
import { registerTopologyComm } from "./topology-comms.ts";

declare module "./topology-comms.ts" {
  interface TopologyComms {
    distGraph: DistGraphComm;
  }
}

/** What `DistGraphComm.distNeighborsCount()` returns (MPI_Dist_graph_neighbors_count). */
export interface DistNeighborsCount {
  readonly inDegree: number;
  readonly outDegree: number;
  readonly weighted: boolean;
}

/**
 * A communicator whose ranks form a directed graph that each rank knows its own part of
 * (MPI_Dist_graph_create_adjacent, MPI_Dist_graph_create, MPI_Dist_graph_neighbors; mpi4py's
 * `MPI.Distgraphcomm`). Everything a {@link Comm} does, plus `sources`, `destinations` and their
 * weights, and the neighbourhood collectives of a {@link TopoComm}: results come in the order of
 * `sources`, items go in the order of `destinations`. The ranks are the parent's, in its order.
 *
 * You get one from `comm.createDistGraphAdjacent(sources, destinations)` or
 * `comm.createDistGraph(sources, degrees, destinations)` (collective), or from `graph.dup()`.
 *
 * @example
 * ```ts
 * // A ring: receive from the left, send to the right.
 * const left = (world.rank + world.size - 1) % world.size;
 * const right = (world.rank + 1) % world.size;
 * const ring = await world.createDistGraphAdjacent([left], [right]);
 * const [fromLeft] = await ring.neighborAllgather(world.rank); // === left
 * ```
 */
export class DistGraphComm extends TopoComm {
  /** This rank's in-neighbours (the ranks it receives from), repeated edges repeated. */
  readonly sources: readonly number[];
  /** This rank's out-neighbours (the ranks it sends to), repeated edges repeated. */
  readonly destinations: readonly number[];
  /** The weight of each in-edge, `undefined` for an unweighted graph (MPI_UNWEIGHTED). */
  readonly sourceWeights: readonly number[] | undefined;
  /** The weight of each out-edge, `undefined` for an unweighted graph. */
  readonly destWeights: readonly number[] | undefined;
  readonly #topology: DistNeighbors;

  /** @internal DistGraphComms come from `Comm.createDistGraph*` and `dup`. */
  constructor(core: CommCore, topology: DistNeighbors) {
    super(core, graphNeighbourhood(topology));
    const frozen = (list: readonly number[] | undefined): readonly number[] | undefined => list && Object.freeze([...list]);
    this.sources = frozen(topology.sources)!;
    this.destinations = frozen(topology.destinations)!;
    this.sourceWeights = frozen(topology.sourceWeights);
    this.destWeights = frozen(topology.destWeights);
    this.#topology = topology;
  }

  /** Whether the graph has weights. */
  get weighted(): boolean {
    return this.sourceWeights !== undefined;
  }

  /** `DIST_GRAPH` (MPI_Topo_test). */
  override topoTest(): number {
    return DIST_GRAPH;
  }

  /** In- and out-degree and whether the graph is weighted (MPI_Dist_graph_neighbors_count; mpi4py's `Get_dist_neighbors_count`). */
  distNeighborsCount(): DistNeighborsCount {
    return { inDegree: this.inDegree, outDegree: this.outDegree, weighted: this.weighted };
  }

  /** This rank's neighbours and weights (MPI_Dist_graph_neighbors; mpi4py's `Get_dist_neighbors`). */
  distNeighbors(): DistNeighbors {
    return { sources: this.sources, destinations: this.destinations, sourceWeights: this.sourceWeights, destWeights: this.destWeights };
  }

  /** @internal dup and idup keep the graph. */
  protected override sameKindOn(core: CommCore): this {
    return new DistGraphComm(core, this.#topology) as this;
  }
}

registerTopologyComm("distGraph", (core, topology) => new DistGraphComm(core, topology));
