import { CollectiveMonitor } from "./collective-monitor.ts";
import type { Engine } from "../engine/engine.ts";
import { wrongCommunicator } from "../errors.ts";
import { adoptContextId } from "./context-id.ts";

/**
 * What a communicator is underneath its facade: a group of world ranks and two context ids, one for
 * user point-to-point traffic and one for collective traffic, so that neither can match the other
 * (Open MPI `coll_tags.h` keeps collectives off user tags the same way).
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
  readonly monitor: CollectiveMonitor;
  freed: boolean;
  /** Operations started on this communicator that have not completed (receives, probes, requests). */
  pending: number;
  /** Run once when the communicator is freed (e.g. to unmap its shared-memory region). */
  readonly onFree: (() => void)[];
}

export interface CoreShape {
  rank: number;
  group: readonly number[];
  /** The point-to-point context; the collective context is the next id. */
  context: number;
}

/** The context of a communicator's collective messages: the one after its point-to-point context. */
export function collectiveContextOf(p2pContext: number): number {
  return p2pContext + 1;
}

export function makeCore(engine: Engine, shape: CoreShape): CommCore {
  const collContext = collectiveContextOf(shape.context);
  // So that a wait for a rank that has finalized can be told apart from one that may yet match.
  engine.registerContext(shape.context, shape.group);
  engine.registerContext(collContext, shape.group);
  return {
    engine,
    rank: shape.rank,
    size: shape.group.length,
    group: shape.group,
    p2pContext: shape.context,
    collContext,
    collSequence: 0,
    monitor: new CollectiveMonitor(engine, { collContext, p2pContext: shape.context, rank: shape.rank, group: shape.group }),
    freed: false,
    pending: 0,
    onFree: [],
  };
}

/** The world: context ids 0 and 1; new communicators take ids from 2 up (see context-id.ts). */
export function worldCore(engine: Engine): CommCore {
  return makeCore(engine, {
    rank: engine.worldRank,
    group: Array.from({ length: engine.worldSize }, (_, rank) => rank),
    context: 0,
  });
}

/** The self communicator's point-to-point context: every process reserves it as it starts. */
const SELF_CONTEXT = 2;

/**
 * The self communicator (MPI_COMM_SELF): this process alone. Made once per process, before any
 * other communicator, so its ids are never proposed for another one here; no other process needs
 * to know them, since no message for it ever leaves this process.
 */
export function selfCore(engine: Engine): CommCore {
  adoptContextId(engine, SELF_CONTEXT);
  return makeCore(engine, { rank: 0, group: [engine.worldRank], context: SELF_CONTEXT });
}

/** Whether the communicator is the world or self, which cannot be freed. */
export function isPredefined(core: CommCore): boolean {
  return core.p2pContext === 0 || core.p2pContext === SELF_CONTEXT;
}

/** Throws unless the communicator can still communicate (not freed, runtime not finalized). */
export function assertUsable(core: CommCore, call: string): void {
  core.engine.assertActive(call, core.rank);
  if (core.freed) throw wrongCommunicator({ rank: core.rank, call }, "the communicator has been freed");
}

/**
 * Counts `operation` as pending on the communicator until it settles, so that a `free` in the
 * meantime leaves its contexts in place for it (MPI_Comm_free lets pending operations complete).
 */
export function holdWhilePending<T>(core: CommCore, operation: Promise<T>): Promise<T> {
  core.pending++;
  const settled = (): void => {
    if (--core.pending === 0 && core.freed) release(core);
  };
  operation.then(settled, settled);
  return operation;
}

/**
 * Marks the communicator freed (new calls on it fail with ERR_COMM) and releases its contexts once
 * its pending operations have completed; messages still queued for it then are dropped.
 */
export function freeCore(core: CommCore): void {
  core.freed = true;
  if (core.pending === 0) release(core);
}

function release(core: CommCore): void {
  core.monitor.close();
  for (const undo of core.onFree.splice(0)) undo();
  core.engine.matcher.dropContext(core.p2pContext);
  core.engine.matcher.dropContext(core.collContext);
  core.engine.forgetContext(core.p2pContext);
  core.engine.forgetContext(core.collContext);
}
