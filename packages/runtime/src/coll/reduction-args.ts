/**
 * Argument handling shared by every reduction (reduce, allreduce, scan, exscan, reduceScatter):
 * the op is resolved and checked against this rank's data before anything is sent.
 * Internal to the runtime, not part of its API.
 */
import type { CommCore } from "../core/comm-core.ts";
import { badArgument } from "../errors.ts";
import { checkOperand } from "../ops/combine.ts";
import { toOp, type Op } from "../ops/op.ts";
import { isTypedArray } from "../wire/typed-array.ts";
import type { SelectionInput } from "./select.ts";
import { sharedMemoryPossible } from "./shared-region.ts";

export function resolveOp(core: CommCore, call: string, op: unknown, data: unknown): Op {
  const resolved = toOp(op);
  if (resolved === undefined) {
    throw badArgument({ rank: core.rank, call }, "op", op, "an Op (Op.SUM, ...) or a function (a, b) => c");
  }
  checkOperand(resolved, data, { rank: core.rank, call });
  return resolved;
}

/** What the selection table may know about a reduction: typed-array sizes are agreed by all ranks. */
export function reductionInput(core: CommCore, data: unknown, op: Op): SelectionInput {
  const typed = isTypedArray(data);
  return {
    size: core.size,
    bytes: typed ? data.byteLength : undefined,
    commutative: op.commutative,
    typedArray: typed,
    builtinOp: op.builtin !== undefined,
    sharedMemory: sharedMemoryPossible(core),
  };
}
