/**
 * Reduction operations (MPI_Op). The built-ins are `Op.SUM`, `Op.PROD`, `Op.MIN`, `Op.MAX`,
 * `Op.LAND`, `Op.LOR`, `Op.LXOR`, `Op.BAND`, `Op.BOR`, `Op.BXOR`, `Op.MINLOC`, `Op.MAXLOC`,
 * `Op.REPLACE` and `Op.NO_OP`; any `(a, b) => c` function is a user op.
 *
 * Operands are always combined as `f(lower ranks, higher ranks)`. A plain function is taken as
 * associative but not commutative (mpi4py's default) and is applied in rank order,
 * `f(f(x0, x1), x2)...`; an op made with `Op.create(fn, { commutative: true })` may be applied in
 * any order, which lets faster algorithms run.
 */
export type BuiltinOpName =
  | "SUM"
  | "PROD"
  | "MIN"
  | "MAX"
  | "LAND"
  | "LOR"
  | "LXOR"
  | "BAND"
  | "BOR"
  | "BXOR"
  | "MINLOC"
  | "MAXLOC"
  | "REPLACE"
  | "NO_OP";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- user ops are typed by the caller
type AnyFunction = (a: any, b: any) => unknown;

/**
 * A reduction operation for `reduce`, `allreduce`, `scan`, `exscan` and `reduceScatter` (MPI_Op;
 * mpi4py's `MPI.SUM`, `MPI.Op.Create`). The built-ins are static fields (`Op.SUM`, `Op.MAX`,
 * `Op.MINLOC`, ...); `Op.create(fn, { commutative })` makes a user op (MPI_Op_create). A plain
 * `(a, b) => c` function is accepted wherever an Op is, as a non-commutative user op.
 *
 * @example
 * ```ts
 * const max = await comm.allreduce(local, Op.MAX);             // MPI_MAX
 * const add = Op.create((a: Float64Array, b: Float64Array) => a.map((x, i) => x + b[i]!), { commutative: true });
 * const sums = await comm.reduce(vector, add, 0);              // on rank 0; undefined elsewhere
 * ```
 */
export class Op {
  /** Sum: numbers, bigints, typed arrays and arrays of numbers (element-wise). */
  static readonly SUM = new Op("SUM", true);
  static readonly PROD = new Op("PROD", true);
  static readonly MIN = new Op("MIN", true);
  static readonly MAX = new Op("MAX", true);
  /** Logical and: booleans, or numbers/bigints/integer arrays as truth values (result 1/0). */
  static readonly LAND = new Op("LAND", true);
  static readonly LOR = new Op("LOR", true);
  static readonly LXOR = new Op("LXOR", true);
  /** Bitwise and: integers, bigints, integer typed arrays. */
  static readonly BAND = new Op("BAND", true);
  static readonly BOR = new Op("BOR", true);
  static readonly BXOR = new Op("BXOR", true);
  /** `[value, index]` pairs (or arrays of them): the smallest value, ties to the smaller index. */
  static readonly MINLOC = new Op("MINLOC", true);
  /** `[value, index]` pairs (or arrays of them): the largest value, ties to the smaller index. */
  static readonly MAXLOC = new Op("MAXLOC", true);
  /** The operand of the highest rank: `f(a, b) = b`. */
  static readonly REPLACE = new Op("REPLACE", false);
  /**
   * The operand of the lowest rank, `f(a, b) = a` (MPI_NO_OP; mpi4py's `MPI.NO_OP`): a reduction
   * gives rank 0's data, a scan every rank rank 0's, and `reduceLocal(input, inout, Op.NO_OP)`
   * sets `inout` to `input`. Any data, as REPLACE.
   */
  static readonly NO_OP = new Op("NO_OP", false);

  readonly name: string;
  /** Whether the op may be applied in any order. */
  readonly commutative: boolean;
  /** @internal */
  readonly builtin: BuiltinOpName | undefined;
  /** @internal */
  readonly fn: AnyFunction | undefined;

  private constructor(name: string, commutative: boolean, fn?: AnyFunction) {
    this.name = name;
    this.commutative = commutative;
    this.fn = fn;
    this.builtin = fn === undefined ? (name as BuiltinOpName) : undefined;
  }

  /** A user op from an associative function (MPI_Op_create); commutative only if you say so. */
  static create<T>(fn: (a: T, b: T) => T, options: { commutative?: boolean; name?: string } = {}): Op {
    if (typeof fn !== "function") throw new TypeError("Op.create(fn): fn must be a function (a, b) => c");
    return new Op(options.name ?? (fn.name || "user op"), options.commutative ?? false, fn);
  }

  toString(): string {
    return `Op.${this.name}`;
  }
}

/** What collectives accept as an op: a built-in or `Op.create` op, or a plain function. */
export type OpLike<T> = Op | ((a: T, b: T) => T);

/** @internal */
export function toOp(op: unknown): Op | undefined {
  if (op instanceof Op) return op;
  if (typeof op === "function") return Op.create(op as AnyFunction);
  return undefined;
}
