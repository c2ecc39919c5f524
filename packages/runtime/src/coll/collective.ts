/**
 * The one path of every collective call, after its entry point has checked the arguments: pick
 * the algorithm from the selection table of the collective it runs, then number and run the call
 * under the name the user called it by (`ibcast`, or `split` for the allgather inside split), so
 * that every error of the call names that call. Entry points do not know who calls them. A
 * shared-memory algorithm whose region cannot be set up falls back through the same table.
 * Internal to the runtime, not part of its API.
 */
import type { CollectiveCallName, CollectiveName } from "../core/collective-ids.ts";
import type { CommCore } from "../core/comm-core.ts";
import type { Op } from "../ops/op.ts";
import { operationsInProgress } from "../engine/operations.ts";
import { runCollective, type CollectiveCall } from "./messages.ts";
import { selectAlgorithm, type Algorithm, type SelectionInput } from "./select.ts";

export interface CollectivePlan<A> {
  /** Whose selection table and algorithms: `allreduce` for the allreduce inside `dup`. */
  table: CollectiveName;
  input: SelectionInput;
  algorithms: Readonly<Record<string, A>>;
  root?: number;
  op?: Op;
}

export function collective<A extends Algorithm<unknown>, T>(
  core: CommCore,
  call: CollectiveCallName,
  plan: CollectivePlan<A>,
  run: (algorithm: A, call: CollectiveCall) => Promise<T>,
): Promise<T> {
  const algorithm = selectAlgorithm(plan.table, plan.input, plan.algorithms);
  const withoutSharedMemory = (): A => selectAlgorithm(plan.table, { ...plan.input, sharedMemory: false }, plan.algorithms);
  return runCollective(core, { name: call, algorithm: algorithm.name, root: plan.root, op: plan.op, withoutSharedMemory }, (running) => {
    // Listed while it runs, for tsmpirun's state report (--timeout, SIGUSR1).
    const operation = operationsInProgress.begin(call, core.p2pContext, core.size, -1, -1, running.sequence, algorithm.name);
    return operationsInProgress.track(run(algorithm, running), operation);
  });
}
