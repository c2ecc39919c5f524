/**
 * Applying an op to two contributions: the one place that knows which data each built-in op
 * accepts. Typed arrays are combined in place into the caller's accumulator; everything else
 * yields a new value.
 * Internal to the runtime, not part of its API.
 */
import { dataMismatch, describeValue, opCannotCombine, opNotApplicable, type TsmpiError } from "../errors.ts";
import { isTypedArray, type AnyTypedArray } from "../wire/typed-array.ts";
import type { BuiltinOpName, Op } from "./op.ts";
import { kernelFor } from "./typed-kernels.ts";

export interface CombineSite {
  /** Absent for a call outside any communicator (`reduceLocal`). */
  rank?: number | undefined;
  call: string;
}

const NOT_APPLICABLE = Symbol("not applicable");

function isInteger32(x: number): boolean {
  return Number.isInteger(x) && x >= -0x8000_0000 && x <= 0xffff_ffff;
}

function bitwise(op: "BAND" | "BOR" | "BXOR", x: number, y: number): number | typeof NOT_APPLICABLE {
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) return NOT_APPLICABLE;
  if (isInteger32(x) && isInteger32(y) && x >= 0 === y >= 0) {
    const r = op === "BAND" ? x & y : op === "BOR" ? x | y : x ^ y;
    return x >= 0 ? r >>> 0 : r;
  }
  const a = BigInt(x);
  const b = BigInt(y);
  return Number(op === "BAND" ? a & b : op === "BOR" ? a | b : a ^ b);
}

function combineNumbers(op: BuiltinOpName, x: number, y: number): number | typeof NOT_APPLICABLE {
  switch (op) {
    case "SUM":
      return x + y;
    case "PROD":
      return x * y;
    case "MIN":
      return Math.min(x, y);
    case "MAX":
      return Math.max(x, y);
    case "LAND":
      return x !== 0 && y !== 0 ? 1 : 0;
    case "LOR":
      return x !== 0 || y !== 0 ? 1 : 0;
    case "LXOR":
      return x !== 0 !== (y !== 0) ? 1 : 0;
    case "BAND":
    case "BOR":
    case "BXOR":
      return bitwise(op, x, y);
    case "REPLACE":
      return y;
    case "NO_OP":
      return x;
    default:
      return NOT_APPLICABLE;
  }
}

function combineBigints(op: BuiltinOpName, x: bigint, y: bigint): bigint | typeof NOT_APPLICABLE {
  switch (op) {
    case "SUM":
      return x + y;
    case "PROD":
      return x * y;
    case "MIN":
      return x < y ? x : y;
    case "MAX":
      return x > y ? x : y;
    case "LAND":
      return x !== 0n && y !== 0n ? 1n : 0n;
    case "LOR":
      return x !== 0n || y !== 0n ? 1n : 0n;
    case "LXOR":
      return x !== 0n !== (y !== 0n) ? 1n : 0n;
    case "BAND":
      return x & y;
    case "BOR":
      return x | y;
    case "BXOR":
      return x ^ y;
    case "REPLACE":
      return y;
    case "NO_OP":
      return x;
    default:
      return NOT_APPLICABLE;
  }
}

function combineBooleans(op: BuiltinOpName, x: boolean, y: boolean): boolean | typeof NOT_APPLICABLE {
  switch (op) {
    case "LAND":
    case "BAND":
    case "MIN":
      return x && y;
    case "LOR":
    case "BOR":
    case "MAX":
      return x || y;
    case "LXOR":
    case "BXOR":
      return x !== y;
    case "REPLACE":
      return y;
    case "NO_OP":
      return x;
    default:
      return NOT_APPLICABLE;
  }
}

type Pair = [value: number | bigint | string, index: number];

function isPair(value: unknown): value is Pair {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    (typeof value[0] === "number" || typeof value[0] === "bigint" || typeof value[0] === "string") &&
    typeof value[1] === "number"
  );
}

/** MINLOC/MAXLOC: the better value wins; on a tie the smaller index (MPI's rule). */
function combinePairs(op: "MINLOC" | "MAXLOC", x: Pair, y: Pair): Pair {
  if (x[0] === y[0] || (x[0] !== x[0] && y[0] !== y[0])) return x[1] <= y[1] ? x : y;
  const yBetter = op === "MINLOC" ? y[0] < x[0] : y[0] > x[0];
  return yBetter ? y : x;
}

/** `x op y` for one element or scalar, or NOT_APPLICABLE. Arrays recurse element-wise. */
function combineValues(op: BuiltinOpName, x: unknown, y: unknown): unknown {
  if (op === "MINLOC" || op === "MAXLOC") {
    if (isPair(x) && isPair(y)) return typeof x[0] === typeof y[0] ? combinePairs(op, x, y) : NOT_APPLICABLE;
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every(isPair)) {
      const out: unknown[] = new Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const r = combineValues(op, x[i], y[i]);
        if (r === NOT_APPLICABLE) return NOT_APPLICABLE;
        out[i] = r;
      }
      return out;
    }
    return NOT_APPLICABLE;
  }
  if (typeof x === "number" && typeof y === "number") return combineNumbers(op, x, y);
  if (typeof x === "bigint" && typeof y === "bigint") return combineBigints(op, x, y);
  if (typeof x === "boolean" && typeof y === "boolean") return combineBooleans(op, x, y);
  if (op === "REPLACE") return y;
  if (op === "NO_OP") return x;
  return NOT_APPLICABLE;
}

function unfitError(op: Op, data: unknown, site: CombineSite): TsmpiError {
  const accepted: Record<string, string> = {
    MINLOC: "[value, index] pairs or arrays of them",
    MAXLOC: "[value, index] pairs or arrays of them",
    LAND: "booleans, numbers, bigints, integer typed arrays or arrays of those",
    LOR: "booleans, numbers, bigints, integer typed arrays or arrays of those",
    LXOR: "booleans, numbers, bigints, integer typed arrays or arrays of those",
    BAND: "integers, bigints, booleans, integer typed arrays or arrays of those",
    BOR: "integers, bigints, booleans, integer typed arrays or arrays of those",
    BXOR: "integers, bigints, booleans, integer typed arrays or arrays of those",
  };
  const wants = accepted[op.name] ?? "numbers, bigints, typed arrays or arrays of numbers";
  return opNotApplicable(site, String(op), wants, data);
}

/** Checks before anything is sent that `op` applies to `data`; user functions accept anything. */
export function checkOperand(op: Op, data: unknown, site: CombineSite): void {
  if (op.builtin === undefined || op.builtin === "REPLACE" || op.builtin === "NO_OP") return;
  if (isTypedArray(data)) {
    if (op.builtin === "MINLOC" || op.builtin === "MAXLOC" || kernelFor(op.builtin, data) === undefined) throw unfitError(op, data, site);
    return;
  }
  if (Array.isArray(data) && !(op.builtin === "MINLOC" || op.builtin === "MAXLOC")) {
    for (const item of data) if (combineValues(op.builtin, item, item) === NOT_APPLICABLE) throw unfitError(op, data, site);
    return;
  }
  if (combineValues(op.builtin, data, data) === NOT_APPLICABLE) throw unfitError(op, data, site);
}

/** A private copy of `data` to reduce into: typed arrays are copied once, so the caller's never change. */
export function ownAccumulator<T>(data: T): T {
  // Buffer#slice is a view, not a copy.
  if (Buffer.isBuffer(data)) return Buffer.from(data) as T;
  if (isTypedArray(data)) return data.slice() as T;
  return data;
}

/**
 * `lower op higher`, where `acc` is this rank's accumulator and `other` came from `otherRank`
 * (undefined: both are this rank's own values, as in a local fold); `accIsLower` says which side
 * of the order `acc` stands for. A typed-array result is written into `acc` (which must be owned:
 * see `ownAccumulator`).
 */
export function combine(op: Op, acc: unknown, other: unknown, accIsLower: boolean, site: CombineSite, otherRank?: number): unknown {
  if (op.fn !== undefined) return accIsLower ? op.fn(acc, other) : op.fn(other, acc);
  const builtin = op.builtin!;
  if (isTypedArray(acc) || isTypedArray(other)) {
    if (!isTypedArray(acc) || !isTypedArray(other) || acc.constructor !== other.constructor || acc.length !== other.length) {
      throw mismatch(op, acc, other, site, otherRank);
    }
    const kernel = kernelFor(builtin, acc);
    if (kernel === undefined) throw unfitError(op, acc, site);
    const [lower, higher] = accIsLower ? [acc, other] : [other, acc];
    kernel(acc as AnyTypedArray, lower, higher, acc.length);
    return acc;
  }
  const [lower, higher] = accIsLower ? [acc, other] : [other, acc];
  if (Array.isArray(lower) && Array.isArray(higher) && builtin !== "MINLOC" && builtin !== "MAXLOC") {
    if (lower.length !== higher.length) throw mismatch(op, acc, other, site, otherRank);
    const out: unknown[] = new Array(lower.length);
    for (let i = 0; i < lower.length; i++) {
      const r = combineValues(builtin, lower[i], higher[i]);
      if (r === NOT_APPLICABLE) throw mismatch(op, acc, other, site, otherRank);
      out[i] = r;
    }
    return out;
  }
  const result = combineValues(builtin, lower, higher);
  if (result === NOT_APPLICABLE) throw mismatch(op, acc, other, site, otherRank);
  return result;
}

function mismatch(op: Op, mine: unknown, theirs: unknown, site: CombineSite, otherRank: number | undefined): TsmpiError {
  if (otherRank === undefined) return opCannotCombine(site, String(op), describeValue(mine), describeValue(theirs));
  return dataMismatch(site, `${op} cannot combine`, describeValue(mine), describeValue(theirs), otherRank);
}
