/**
 * Every error the runtime raises on purpose is a `TsmpiError`, whose `code` never changes between
 * versions (programs and tests branch on it) and whose message names the rank, the call and the
 * argument: `rank 2: send(dest=7): dest must be 0..3 or PROC_NULL (size 4)`.
 */
export type TsmpiErrorCode =
  /** A rank argument (dest, source, root) out of range. */
  | "ERR_RANK"
  /** A tag that is not a non-negative integer up to TAG_UB (or ANY_TAG where allowed). */
  | "ERR_TAG"
  /** Data that cannot be serialised (a function, a symbol, ...). */
  | "ERR_SERIALIZE"
  /** Any other argument that is not what the call takes. */
  | "ERR_ARG"
  /** A reduction on data the op does not apply to (SUM of strings, BAND of floats, ...). */
  | "ERR_OP"
  /**
   * Ranks disagree about a collective: different calls in the same position, different roots,
   * data of different kinds or lengths.
   */
  | "ERR_COLL_MISMATCH"
  /** A communicator that has been freed, or an operation on the wrong kind of communicator. */
  | "ERR_COMM"
  /** A call on a communicator or runtime that is not usable (finalized, freed). */
  | "ERR_STATE"
  /** Wire-up with the launcher failed. */
  | "ERR_WIREUP"
  /** The job is being aborted. */
  | "ERR_ABORTED"
  /** A message arrived that this rank cannot decode (version mismatch, corruption). */
  | "ERR_PROTOCOL"
  /** A user function run by a higher layer (pmap) threw; `cause` is what it threw. */
  | "ERR_TASK";

export interface TsmpiErrorDetails {
  /** The rank (in the communicator of the call) that raised the error. */
  rank?: number | undefined;
  /** The call, as the user wrote it: `send`, `recv`, `init`, ... */
  call: string;
  /** The offending argument, when one is at fault. */
  argument?: string | undefined;
  /** The argument's value as the user passed it. */
  got?: unknown;
  /** What was expected instead, in words. */
  expected?: string | undefined;
  cause?: unknown;
}

/**
 * The error every runtime call throws or rejects with on purpose: `code` (a fixed
 * {@link TsmpiErrorCode} such as `ERR_RANK`, `ERR_TAG`, `ERR_COLL_MISMATCH`), the `rank` that
 * raised it, the `call` and the offending `argument`; the message names them all. It plays the
 * part of an MPI error class (MPI_ERR_RANK, ...; mpi4py's `MPI.Exception` with `Get_error_class()`),
 * but it is always thrown: there is no error handler to set.
 *
 * You do not make one; catch it and branch on `code`.
 *
 * @example
 * ```ts
 * try {
 *   await world.send("hi", world.size); // no such rank
 * } catch (error) {
 *   if (error instanceof TsmpiError && error.code === "ERR_RANK") console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class TsmpiError extends Error {
  readonly code: TsmpiErrorCode;
  readonly rank: number | undefined;
  readonly call: string;
  readonly argument: string | undefined;

  constructor(code: TsmpiErrorCode, details: TsmpiErrorDetails, reason?: string) {
    super(formatMessage(details, reason), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.rank = details.rank;
    this.call = details.call;
    this.argument = details.argument;
    // The stack's first line carries the code, as Node's own errors do (`TypeError [ERR_X]: ...`),
    // so a failure report that shows only the stack still names it.
    this.name = `TsmpiError [${code}]`;
    void this.stack;
    this.name = "TsmpiError";
  }
}

function formatMessage(details: TsmpiErrorDetails, reason: string | undefined): string {
  const who = details.rank === undefined ? "" : `rank ${details.rank}: `;
  const where =
    details.argument === undefined
      ? `${details.call}()`
      : "got" in details
        ? `${details.call}(${details.argument}=${show(details.got)})`
        : `${details.call}(${details.argument})`;
  const what = reason ?? (details.expected === undefined ? "invalid call" : `${details.argument ?? "argument"} must be ${details.expected}`);
  return `${who}${where}: ${what}`;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "[function]";
  if (typeof value === "symbol") return value.toString();
  if (Array.isArray(value)) return `[array of ${value.length}]`;
  if (value !== null && typeof value === "object") return `[${value.constructor?.name ?? "object"}]`;
  return String(value);
}
