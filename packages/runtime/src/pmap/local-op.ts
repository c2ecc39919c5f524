/**
 * Applying an op to two values on one rank, for the local fold of `distributedReduce` (the role
 * of MPI_Reduce_local). The runtime's own combiner is internal, so this covers the built-ins on the
 * data `@distributed` loops produce: numbers, bigints, booleans, typed arrays and arrays of numbers
 * (element-wise), `[value, index]` pairs for MINLOC/MAXLOC; anything else is ERR_OP here, before
 * any message is sent. Element-wise results are computed in the element type, as allreduce does.
 */
import { TsmpiError } from "../errors.ts";
import { Op, type OpLike } from "../ops/op.ts";

type Scalar = number | bigint | boolean;

export interface LocalSite {
  rank: number;
  call: string;
}

/** `op(a, b)`; `a` may be changed in place when it is a typed array this caller owns. */
export function applyLocal<T>(op: OpLike<T>, a: T, b: T, site: LocalSite): T {
  if (typeof op === "function") return op(a, b);
  // An Op.create op: its function is the op (fn is set exactly when the op is not a built-in).
  if (op.fn !== undefined) return op.fn(a, b) as T;
  if (op === Op.REPLACE) return b;
  if (op === Op.MINLOC || op === Op.MAXLOC) return applyLoc(op, a, b, site) as T;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && !(a instanceof DataView) && !(b instanceof DataView)) {
    const x = a as unknown as { length: number; [i: number]: Scalar };
    const y = b as unknown as { length: number; [i: number]: Scalar };
    sameLength(x.length, y.length, op, site);
    for (let i = 0; i < x.length; i++) x[i] = scalar(op, x[i]!, y[i]!, site);
    return a;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    sameLength(a.length, b.length, op, site);
    return a.map((x, i) => scalar(op, x as Scalar, b[i] as Scalar, site)) as T;
  }
  return scalar(op, a as Scalar, b as Scalar, site) as T;
}

function sameLength(x: number, y: number, op: Op, site: LocalSite): void {
  if (x !== y) fail(op, site, `values of different lengths (${x} and ${y})`);
}

function fail(op: Op, site: LocalSite, what: string): never {
  throw new TsmpiError("ERR_OP", { rank: site.rank, call: site.call, argument: "op" }, `${op} cannot combine ${what}`);
}

function scalar(op: Op, x: Scalar, y: Scalar, site: LocalSite): Scalar {
  const kind = typeof x;
  if (kind !== typeof y || (kind !== "number" && kind !== "bigint" && kind !== "boolean")) {
    fail(op, site, `a ${kind} and a ${typeof y}`);
  }
  switch (op) {
    case Op.LAND:
      return kind === "boolean" ? Boolean(x) && Boolean(y) : truth(x) && truth(y) ? 1 : 0;
    case Op.LOR:
      return kind === "boolean" ? Boolean(x) || Boolean(y) : truth(x) || truth(y) ? 1 : 0;
    case Op.LXOR:
      return kind === "boolean" ? Boolean(x) !== Boolean(y) : truth(x) !== truth(y) ? 1 : 0;
  }
  if (kind === "boolean") fail(op, site, "booleans");
  if (kind === "bigint") {
    const a = x as bigint;
    const b = y as bigint;
    switch (op) {
      case Op.SUM: return a + b;
      case Op.PROD: return a * b;
      case Op.MIN: return b < a ? b : a;
      case Op.MAX: return b > a ? b : a;
      case Op.BAND: return a & b;
      case Op.BOR: return a | b;
      case Op.BXOR: return a ^ b;
    }
  } else {
    const a = x as number;
    const b = y as number;
    switch (op) {
      case Op.SUM: return a + b;
      case Op.PROD: return a * b;
      case Op.MIN: return Math.min(a, b);
      case Op.MAX: return Math.max(a, b);
      case Op.BAND:
      case Op.BOR:
      case Op.BXOR: {
        if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) fail(op, site, "numbers that are not safe integers");
        const p = BigInt(a);
        const q = BigInt(b);
        return Number(op === Op.BAND ? p & q : op === Op.BOR ? p | q : p ^ q);
      }
    }
  }
  return fail(op, site, `${kind}s`);
}

function truth(x: Scalar): boolean {
  return x !== 0 && x !== 0n && x !== false;
}

/** MINLOC/MAXLOC: `[value, index]` pairs, or arrays of them element-wise; ties go to the smaller index. */
function applyLoc(op: Op, a: unknown, b: unknown, site: LocalSite): unknown {
  if (isPair(a) && isPair(b)) {
    const [va, ia] = a;
    const [vb, ib] = b;
    if (va === vb) return ib < ia ? b : a;
    const bWins = op === Op.MINLOC ? vb < va : vb > va;
    return bWins ? b : a;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.every(isPair) && b.every(isPair)) {
    sameLength(a.length, b.length, op, site);
    return a.map((pair, i) => applyLoc(op, pair, b[i], site));
  }
  return fail(op, site, "values that are not [value, index] pairs");
}

function isPair(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "number";
}
