/**
 * What a neighbourhood collective needs of a topology: whom this rank receives from (its in-neighbours,
 * the order of the results) and whom it sends to (its out-neighbours, the order of the items), each
 * with the step its message travels on. The steps pair a send with its receive when one rank is
 * another's neighbour more than once: a Cartesian dimension of extent 1 or 2, or a graph with
 * repeated edges. The topology decides them (topo/topology.ts for grids, topo/dist-graph.ts for
 * graphs); the collectives only follow them.
 * Internal to the runtime, not part of its API.
 */

/** One neighbour: its rank in the communicator (PROC_NULL: none) and the step of the message to or from it. */
export interface NeighbourLink {
  readonly rank: number;
  readonly step: number;
}

export interface Neighbourhood {
  /** The in-neighbours, in the order of a neighbourhood collective's results. */
  readonly sources: readonly NeighbourLink[];
  /** The out-neighbours, in the order of a neighbourhood collective's items. */
  readonly destinations: readonly NeighbourLink[];
  /** How the out-neighbours are ordered, for an error about items: "2 per dimension: ...". */
  readonly destinationOrder: string;
  /** How the in-neighbours are ordered, for an error about receive counts. */
  readonly sourceOrder: string;
}
