/**
 * How a user function's exception travels: the rank that ran it turns it into a plain record
 * (any thrown value serialises), and every rank rebuilds a `TaskError` from the record, so the
 * same error, naming the item and the rank, is thrown everywhere and no rank is left waiting.
 */
import { TsmpiError, type TsmpiErrorCode } from "../errors.ts";

/** What one rank tells the others about a failed item (an internal record, not API). */
export interface TaskFailure {
  /** Index of the item in the list. */
  index: number;
  /** Rank (in the communicator of the call) that ran the item. */
  rank: number;
  code: TsmpiErrorCode;
  /** The error's name, message and stack, as the running rank saw them. */
  name: string;
  message: string;
  stack: string | undefined;
  /** Why it failed, when not because `fn` threw (a result that cannot be sent, ...). */
  reason: string | undefined;
}

/**
 * `fn` threw for one item (code ERR_TASK), or an item or result could not be sent (ERR_SERIALIZE).
 * `rank` is the rank that ran the item, `index` the item's index, and `cause` what `fn` threw: the
 * original value on the rank that ran it, an `Error` with the same name, message and stack elsewhere.
 */
export class TaskError extends TsmpiError {
  /** Index of the failed item. */
  readonly index: number;

  constructor(call: string, failure: TaskFailure, cause: unknown) {
    const what = failure.reason ?? `fn(items[${failure.index}], ${failure.index}) threw`;
    super(
      failure.code,
      { rank: failure.rank, call, argument: "item", got: failure.index, cause },
      `${what}: ${failure.name ? `${failure.name}: ` : ""}${failure.message}`,
    );
    this.index = failure.index;
    // A job report prints the stack only: show where fn threw, not just where pmap rethrew.
    const causeStack = cause instanceof Error ? cause.stack : undefined;
    if (causeStack !== undefined) this.stack = `${this.stack}\nCaused by: ${causeStack}`;
  }
}

/** @internal */
export function describeFailure(
  thrown: unknown,
  index: number,
  rank: number,
  code: TsmpiErrorCode = "ERR_TASK",
  reason?: string,
): TaskFailure {
  if (thrown instanceof Error) {
    return { index, rank, code, name: thrown.name, message: thrown.message, stack: thrown.stack, reason };
  }
  return { index, rank, code, name: "", message: String(thrown), stack: undefined, reason };
}

/** @internal The error for `failure` on a rank that only has the record. */
export function rebuildCause(failure: TaskFailure): Error {
  const error = new Error(failure.message);
  error.name = failure.name || "Error";
  if (failure.stack !== undefined) error.stack = `${failure.stack}\n    (thrown on rank ${failure.rank})`;
  return error;
}
