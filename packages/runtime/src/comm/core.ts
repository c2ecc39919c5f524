import type { Engine } from "../engine/engine.ts";

/**
 * What a communicator is underneath its facade: a group of world ranks and two context ids, one for
 * user point-to-point traffic and one for collective traffic, so that neither can match the other
 * (Open MPI `coll_tags.h` keeps collectives off user tags the same way).
 * @internal
 */
export interface CommCore {
  readonly engine: Engine;
  /** This process's rank in the communicator. */
  readonly rank: number;
  readonly size: number;
  /** `group[r]` is the world rank of communicator rank `r`. */
  readonly group: readonly number[];
  readonly p2pContext: number;
  readonly collContext: number;
  /** Counts this communicator's collective calls; stamped on collective messages. */
  collSequence: number;
}

export function worldCore(engine: Engine): CommCore {
  return {
    engine,
    rank: engine.worldRank,
    size: engine.worldSize,
    group: Array.from({ length: engine.worldSize }, (_, rank) => rank),
    p2pContext: 0,
    collContext: 1,
    collSequence: 0,
  };
}
