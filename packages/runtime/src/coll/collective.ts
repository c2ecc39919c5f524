/**
 * The one path of every collective call, after its entry point has checked the arguments: pick
 * the algorithm from the selection table of the collective it runs, then number and run the call
 * under the name the user called it by (`ibcast`, or `split` for the allgather inside split), so
 * that every error of the call names that call. Entry points do not know who calls them. A
 * shared-memory algorithm whose region cannot be set up falls back through the same table.
 * Internal to the runtime, not part of its API.
 */
import { operationOf, type CollectiveCallName, type CollectiveName } from "../core/collective-ids.ts";
import type { CommCore } from "../core/comm-core.ts";
import type { Op } from "../ops/op.ts";
import { operationsInProgress } from "../engine/operations.ts";
import { runCollective, type CollectiveCall } from "./messages.ts";
import { selectAlgorithm, type Algorithm, type SelectionInput } from "./select.ts";
import { isTypedArray, typedArrayKind } from "../wire/typed-array.ts";
import { recordSlice, traceNow, tracing } from "../comm-trace/recorder.ts";

export interface CollectivePlan<A> {
  /** Data that every rank must pass as a typed array of one kind, or not as one (reductions). */
  data?: unknown;
  /** Whose selection table and algorithms: `allreduce` for the allreduce inside `dup`. */
  table: CollectiveName;
  input: SelectionInput;
  algorithms: Readonly<Record<string, A>>;
  root?: number;
  op?: Op;
}

/**
 * `plan` checks the call's arguments (throwing the catalogue's error) and describes it; it runs after
 * the call is numbered, so that a bad argument on one rank fails the call on every rank. `run` gets
 * the plan back, so that what the checks resolved (the op) reaches the algorithm.
 */
export function collective<A extends Algorithm<unknown>, P, T>(
  core: CommCore,
  call: CollectiveCallName,
  plan: () => P & CollectivePlan<A>,
  run: (algorithm: A, call: CollectiveCall, plan: P) => Promise<T>,
): Promise<T> {
  return runCollective(core, call, () => {
    const planned = plan();
    const { table, input, algorithms, root, op, data } = planned;
    const algorithm = selectAlgorithm(table, input, algorithms);
    const withoutSharedMemory = (): A => selectAlgorithm(table, { ...input, sharedMemory: false }, algorithms);
    const kind = isTypedArray(data) ? typedArrayKind(data) + 1 : undefined;
    const body = (running: CollectiveCall): Promise<T> => {
      // Listed while it runs, for tsmpirun's state report (--timeout, SIGUSR1).
      // `ibcast` runs `bcast`: the nonblocking form of a collective is the one named otherwise.
      const nonblocking = call !== operationOf(call);
      const operation = operationsInProgress.begin(call, core.p2pContext, core.size, -1, -1, {
        sequence: running.sequence,
        algorithm: algorithm.name,
        request: nonblocking,
      });
      if (tracing) return tracedCollective(running, data, nonblocking, () => operationsInProgress.track(run(algorithm, running, planned), operation));
      return operationsInProgress.track(run(algorithm, running, planned), operation);
    };
    return { spec: { algorithm: algorithm.name, root, op, kind, withoutSharedMemory }, body };
  });
}

/**
 * A collective with its slice: the whole call for a blocking one; for a nonblocking one (`i...`)
 * only the call itself, with the time it completed in its details, so that slices on the rank's
 * track stay nested (the `wait` for it shows the waiting).
 */
function tracedCollective<T>(call: CollectiveCall, data: unknown, nonblocking: boolean, start: () => Promise<T>): Promise<T> {
  const startUs = traceNow();
  const { core } = call;
  // Disjoint communicators (the halves of a split) may share a context id: the world rank of the
  // communicator's rank 0 tells them apart.
  const args: Record<string, string | number | boolean> = {
    comm: core.p2pContext,
    commSize: core.size,
    commRank0: core.group[0]!,
    sequence: call.sequence,
    algorithm: call.algorithm,
  };
  if (call.root !== undefined) args.root = call.root;
  if (call.op !== undefined) args.op = call.op.name;
  if (isTypedArray(data)) args.bytes = data.byteLength;
  const running = start();
  if (nonblocking) recordSlice(call.name, startUs, args);
  const done = (failed: boolean) => (): void => {
    if (failed) args.failed = true;
    if (nonblocking) args.completedAfterUs = traceNow() - startUs;
    else recordSlice(call.name, startUs, args);
  };
  running.then(done(false), done(true));
  return running;
}

/**
 * Runs the argument checks of a communicator call that is a collective of its own (`split`,
 * `createCart`): a bad argument numbers the call and fails it on every rank, as in `collective`.
 */
export function checkCollectiveArguments(core: CommCore, call: CollectiveCallName, check: () => void): void {
  try {
    check();
  } catch (error) {
    runCollective(core, call, () => {
      throw error;
    });
  }
}
