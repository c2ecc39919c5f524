/**
 * @tsmpi/runtime: MPI-style message passing for TypeScript.
 *
 * ```ts
 * import { init, ANY_SOURCE } from "@tsmpi/runtime";
 * const world = await init();
 * if (world.rank === 0) await world.send({ hello: "world" }, 1);
 * else if (world.rank === 1) console.log(await world.recv(0));
 * ```
 */
export { init, finalize } from "./lifecycle/init.ts";
export { Comm } from "./comm/comm.ts";
export { Group, type RankRange } from "./comm/group.ts";
export { selfComm } from "./lifecycle/self.ts";
export type { TopologyComms } from "./comm/topology-comms.ts";
export { TopoComm } from "./comm/topo-comm.ts";
export { CartComm } from "./comm/cart-comm.ts";
export { DistGraphComm, type DistNeighborsCount } from "./comm/dist-graph-comm.ts";
export type { CartShift } from "./topo/topology.ts";
export type { DistGraphAdjacentOptions, DistGraphOptions, DistNeighbors } from "./topo/dist-graph.ts";
export { computeDims } from "./topo/dims.ts";
export { Request } from "./p2p/request.ts";
export { PersistentRequest, startAll } from "./p2p/persistent.ts";
export { Message } from "./p2p/message.ts";
export { testAll, testAny, testSome, waitAll, waitAny, waitSome, type AnyCompleted, type SomeCompleted } from "./p2p/wait.ts";
export type { Status } from "./p2p/status.ts";
export { Op, type OpLike } from "./ops/op.ts";
export { reduceLocal } from "./ops/reduce-local.ts";
export type { Received } from "./p2p/recv.ts";
export type { ProbeStatus } from "./p2p/probe.ts";
export { ANY_SOURCE, ANY_TAG, PROC_NULL, UNDEFINED, TAG_UB, IDENT, CONGRUENT, SIMILAR, UNEQUAL, COMM_TYPE_SHARED, GRAPH, CART, DIST_GRAPH } from "./constants.ts";
export { TsmpiError, type TsmpiErrorCode } from "./errors.ts";
export type { AnyTypedArray } from "./wire/typed-array.ts";
export { pmap, type PmapOptions, type PmapFunction } from "./pmap/pmap.ts";
export { TaskError } from "./pmap/task-error.ts";
export { distributedReduce, type ReduceRange } from "./pmap/distributed-reduce.ts";
export type { IndexRange } from "./pmap/block-range.ts";
export { SharedArray, type SharedArrayKind, type SharedTypedArray } from "./shared/shared-array.ts";
export { DArray, type LocalPartOf } from "./darray/darray.ts";
export { LocalPart } from "./darray/local-part.ts";
export type { DArrayKind, DArrayOptions, DArrayTypedArray, ElementOf, FillOptions, HaloOptions, LeadingIndex, Tuple } from "./darray/types.ts";
