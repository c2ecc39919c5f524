import { Comm } from "../comm/comm.ts";
import { selfCore } from "../core/comm-core.ts";
import type { Engine } from "../engine/engine.ts";
import { notUsable } from "../errors.ts";

let self: Comm | undefined;

/** Makes the self communicator as the runtime starts, before any other communicator. */
export function startSelfComm(engine: Engine): void {
  self = new Comm(selfCore(engine));
}

/**
 * The communicator of this process alone (MPI_COMM_SELF; mpi4py's `MPI.COMM_SELF`): size 1, rank
 * 0. Everything a communicator does works on it (a message to rank 0 is a message to this process,
 * every collective returns this rank's own contribution), and its messages never match the
 * world's. Available once `init()` has resolved (ERR_STATE before); it cannot be freed.
 *
 * @example
 * ```ts
 * const world = await init();
 * const self = selfComm();
 * await self.send("note to self", 0);
 * console.log(await self.recv(0), await self.allreduce(world.rank, Op.SUM)); // "note to self", world.rank
 * ```
 */
export function selfComm(): Comm {
  if (self === undefined) throw notUsable({ call: "selfComm" }, "call await init() first");
  return self;
}
