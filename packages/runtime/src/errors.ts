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
  /**
   * A group that does not fit the call (MPI_ERR_GROUP): not a `Group`, not a subset of the
   * communicator, or without the calling rank where the call needs it.
   */
  | "ERR_GROUP"
  /** A call on a communicator or runtime that is not usable (finalized, freed). */
  | "ERR_STATE"
  /** Wire-up with the launcher failed. */
  | "ERR_WIREUP"
  /** The job is being aborted. */
  | "ERR_ABORTED"
  /** A message arrived that this rank cannot decode (version mismatch, corruption). */
  | "ERR_PROTOCOL"
  /** A message larger than the buffer given to receive it (MPI_ERR_TRUNCATE). */
  | "ERR_TRUNCATE"
  /**
   * A count that is not a non-negative integer, counts that are not one per rank, or a buffer whose
   * length is not what its counts say (MPI_ERR_COUNT).
   */
  | "ERR_COUNT"
  /** A user function run by a higher layer (pmap) threw; `cause` is what it threw. */
  | "ERR_TASK"
  /**
   * A call waits for a rank that has called finalize (which sends nothing more), so it can never
   * complete: a receive from it, a collective it will not make, a synchronous send it did not
   * receive.
   */
  | "ERR_PEER_FINALIZED";

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
  /** What kind of fault this is; fixed across versions. */
  readonly code: TsmpiErrorCode;
  /** The rank (in the communicator of the call) that raised it, when known. */
  readonly rank: number | undefined;
  /** The call as the user wrote it: `send`, `allreduce`, `createCart`, ... */
  readonly call: string;
  /** The offending argument, when one is at fault. */
  readonly argument: string | undefined;
  /** The offending value, as passed (absent when no single value is at fault). */
  readonly got?: unknown;
  /** What was expected instead, in words. */
  readonly expected: string | undefined;

  /** Prefer the constructors of the catalogue below, so the same fault reads the same everywhere. */
  constructor(code: TsmpiErrorCode, details: TsmpiErrorDetails, reason?: string) {
    super(formatMessage(details, reason), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.rank = details.rank;
    this.call = details.call;
    this.argument = details.argument;
    if ("got" in details) this.got = details.got;
    this.expected = details.expected;
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

/** Where a fault was found: the rank in the call's communicator, and the call as the user wrote it. */
export interface CallSite {
  rank?: number | undefined;
  call: string;
}

/** A value in a message, by shape rather than content: `Float64Array(8)`, `array(3)`, `string`. */
export function describeValue(value: unknown): string {
  if (ArrayBuffer.isView(value) && "length" in value) return `${value.constructor.name}(${(value as { length: number }).length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

// The catalogue: one constructor per kind of fault (Open MPI keeps its texts in help-*.txt files).

/** ERR_ARG: `argument` is not what the call takes. */
export function badArgument(site: CallSite, argument: string, got: unknown, expected: string): TsmpiError {
  return new TsmpiError("ERR_ARG", { ...site, argument, got, expected });
}

/** ERR_ARG: the arguments together make no sense (`reason` says why; `got` when one value is at fault). */
export function invalidArguments(site: CallSite, reason: string, argument?: string, ...got: [unknown?]): TsmpiError {
  return new TsmpiError("ERR_ARG", got.length === 0 ? { ...site, argument } : { ...site, argument, got: got[0] }, reason);
}

/** `0..size-1`, or `0` for a communicator of one. */
export function rankRange(size: number): string {
  return size === 1 ? "0" : `0..${size - 1}`;
}

/** ERR_RANK: a dest, source or root outside the communicator (`alsoAllowed`: " or PROC_NULL", ...). */
export function rankOutOfRange(site: CallSite, argument: string, got: unknown, size: number, alsoAllowed = ""): TsmpiError {
  const expected = `${rankRange(size)}${alsoAllowed} (size ${size})`;
  return new TsmpiError("ERR_RANK", { ...site, argument, got, expected });
}

/** ERR_RANK: a rank-like argument that names no rank for another reason (coords off a grid, ...). */
export function noSuchRank(site: CallSite, argument: string, reason: string): TsmpiError {
  return new TsmpiError("ERR_RANK", { ...site, argument }, reason);
}

/** ERR_TAG: not an integer 0..tagUpperBound (or ANY_TAG where a receive allows it). */
export function tagOutOfRange(site: CallSite, argument: string, got: unknown, tagUpperBound: number, anyTagAllowed: boolean): TsmpiError {
  const expected = `an integer 0..${tagUpperBound}${anyTagAllowed ? " or ANY_TAG" : ""}`;
  return new TsmpiError("ERR_TAG", { ...site, argument, got, expected });
}

/** ERR_TRUNCATE: the message matched holds more than the receive buffer (`what`: the message, `room`: the buffer). */
export function truncated(site: CallSite, what: string, room: string): TsmpiError {
  return new TsmpiError("ERR_TRUNCATE", { ...site, argument: "buffer" }, `${what} does not fit in ${room}; the message has been received and dropped`);
}

/** ERR_COUNT: `argument` holds counts that cannot be (`reason` says why; `got` when one value is at fault). */
export function badCount(site: CallSite, argument: string, reason: string, ...got: [unknown?]): TsmpiError {
  return new TsmpiError("ERR_COUNT", got.length === 0 ? { ...site, argument } : { ...site, argument, got: got[0] }, reason);
}

/** ERR_SERIALIZE: msgpackr could not encode the data. */
export function notSerializable(site: CallSite, argument: string, cause: Error): TsmpiError {
  return new TsmpiError("ERR_SERIALIZE", { ...site, argument, cause }, `${cause.message} (tsmpi sends what msgpackr can encode, and typed arrays)`);
}

/** ERR_OP: `op` does not apply to this data (`wants`: what it applies to). */
export function opNotApplicable(site: CallSite, op: string, wants: string, data: unknown): TsmpiError {
  return new TsmpiError("ERR_OP", { ...site, argument: "data" }, `${op} needs ${wants}; got ${describeValue(data)}`);
}

/** ERR_OP: `op` cannot combine two values of one rank's data with each other. */
export function opCannotCombine(site: CallSite, op: string, mine: string, theirs: string): TsmpiError {
  return new TsmpiError("ERR_OP", { ...site, argument: "data" }, `${op} cannot combine ${mine} with ${theirs}`);
}

/** ERR_OP: something that is not an op where an op belongs. */
export function notAnOp(site: CallSite, got: unknown, expected = "an Op (Op.SUM, ...) or a function (a, b) => c"): TsmpiError {
  return new TsmpiError("ERR_OP", { ...site, argument: "op", got, expected });
}

/** ERR_OP: a user op returned a block of the wrong shape. */
export function opResultMisshapen(site: CallSite, op: string, returned: unknown, expectedLength: number): TsmpiError {
  const got = returned === null || typeof returned !== "object" ? typeof returned : describeValue(returned);
  return new TsmpiError(
    "ERR_OP",
    { ...site, argument: "op", expected: `a block of ${expectedLength} elements` },
    `${op} returned ${got} for a block of ${expectedLength} elements: a user op must return a value of the shape it was given`,
  );
}

/** ERR_COLL_MISMATCH: this rank's data and another rank's cannot meet in one collective. */
export function dataMismatch(site: CallSite, what: string, mine: string, theirs: string, otherRank: number): TsmpiError {
  return new TsmpiError(
    "ERR_COLL_MISMATCH",
    { ...site, argument: "data" },
    `${what} ${mine} here with ${theirs} from rank ${otherRank}: every rank must pass data of the same kind and length`,
  );
}

/** ERR_COLL_MISMATCH: ranks disagree about a collective (`reason` names both sides). */
export function collectiveMismatch(site: CallSite, reason: string, argument?: string): TsmpiError {
  return new TsmpiError("ERR_COLL_MISMATCH", { ...site, argument }, reason);
}

/**
 * A collective call that another rank found wrong (its own argument, or a disagreement it saw):
 * every rank of the call rejects with the code the finder raised, naming it and its report.
 */
export function failedOnAnotherRank(site: CallSite, sequence: number, finder: { rank: number; code: TsmpiErrorCode; message: string }): TsmpiError {
  return new TsmpiError(
    finder.code,
    site,
    `collective call #${sequence} on this communicator failed on rank ${finder.rank}, so it fails on every rank: ${finder.message}`,
  );
}

/**
 * A call that only some ranks make (createGroup) and that one of them found wrong: every member
 * that took part rejects with the code the finder raised, naming it (its rank in the communicator
 * of the call) and its report.
 */
export function failedOnAnotherMember(site: CallSite, finder: { rank: number; code: TsmpiErrorCode; message: string }): TsmpiError {
  return new TsmpiError(finder.code, site, `the call failed on rank ${finder.rank}, so it fails on every member that made it: ${finder.message}`);
}

/**
 * A collective call that returned on this rank (a bcast root's part ends once its data is sent) but
 * failed on another: the next call on the communicator fails with this report, on every rank.
 */
export function failedAfterReturning(site: CallSite, sequence: number, call: string, finder: { rank: number; code: TsmpiErrorCode; message: string }): TsmpiError {
  const failure = finder.rank === site.rank ? "a message of it that came later shows another rank called differently" : `failed on rank ${finder.rank}`;
  return new TsmpiError(finder.code, site, `this communicator's collective call #${sequence} (${call}) returned here but ${failure}, so this call fails too: ${finder.message}`);
}

/** ERR_PROTOCOL: bytes that arrived cannot be decoded (`what`: where they came from). */
export function undecodable(site: CallSite, what: string, cause: unknown): TsmpiError {
  return new TsmpiError("ERR_PROTOCOL", { ...site, cause }, `cannot decode ${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
}

/** ERR_PROTOCOL: a peer broke the runtime's own protocol (`reason` says how). */
export function protocolViolation(site: CallSite, reason: string): TsmpiError {
  return new TsmpiError("ERR_PROTOCOL", site, reason);
}

/** ERR_COMM: the communicator cannot serve this call (freed, the world, not Cartesian, ...). */
export function wrongCommunicator(site: CallSite, reason: string, argument?: string, got?: unknown): TsmpiError {
  return new TsmpiError("ERR_COMM", argument === undefined ? site : { ...site, argument, got }, reason);
}

/** ERR_GROUP: the group cannot serve this call (`reason` says why). */
export function wrongGroup(site: CallSite, reason: string, argument = "group"): TsmpiError {
  return new TsmpiError("ERR_GROUP", { ...site, argument }, reason);
}

/** ERR_STATE: the object or the runtime is not in a state for this call. */
export function notUsable(site: CallSite, reason: string): TsmpiError {
  return new TsmpiError("ERR_STATE", site, reason);
}

/** ERR_ABORTED: the job is being aborted. */
export function jobAborted(site: CallSite): TsmpiError {
  return new TsmpiError("ERR_ABORTED", site, "the job is being aborted");
}

/** ERR_WIREUP: the rank could not join the job. */
export function wireupFailed(site: CallSite, reason: string, cause?: unknown): TsmpiError {
  return new TsmpiError("ERR_WIREUP", { ...site, cause }, reason);
}
