/**
 * How `Comm` makes the communicators with a topology without importing their classes, which
 * extend it: each class's module adds itself to `TopologyComms` (declaration merging) and
 * registers its constructor here when it loads (index.ts loads them all).
 * Internal to the runtime, not part of its API, but for the name `TopologyComms`.
 */
import type { CommCore } from "../core/comm-core.ts";
import type { DistNeighbors } from "../topo/dist-graph.ts";
import type { CartTopology } from "../topo/topology.ts";

/**
 * The communicator classes with a topology, by kind: `CartComm` as `cart`, `DistGraphComm` as
 * `distGraph`. Their modules add their entries, so that `Comm` can name what `createCart` and
 * `createDistGraph` return without importing the classes that extend it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging
export interface TopologyComms {}

/** What each kind of topology communicator is made from. */
interface TopologyOf {
  cart: CartTopology;
  distGraph: DistNeighbors;
}

type TopologyKind = keyof TopologyOf & keyof TopologyComms;
type TopologyCommMaker<K extends TopologyKind> = (core: CommCore, topology: TopologyOf[K]) => TopologyComms[K];

const makers: { [K in TopologyKind]?: TopologyCommMaker<K> } = {};

/** How to make the communicators of one kind: called once by the module of their class. */
export function registerTopologyComm<K extends TopologyKind>(kind: K, make: TopologyCommMaker<K>): void {
  (makers as Record<K, TopologyCommMaker<K>>)[kind] = make;
}

export function makeTopologyComm<K extends TopologyKind>(kind: K, core: CommCore, topology: TopologyOf[K]): TopologyComms[K] {
  const make = (makers as Partial<Record<K, TopologyCommMaker<K>>>)[kind];
  if (make === undefined) throw new Error(`tsmpi: the ${kind} communicator class is not loaded (import the runtime from its index)`);
  return make(core, topology);
}
