/**
 * Element-wise reduction kernels for typed arrays, run in place on preallocated buffers:
 * `kernel(out, a, b, n)` sets `out[i] = a[i] op b[i]`, and `out` may be `a` or `b`.
 *
 * Each (op, array kind) pair gets its own function compiled from source, so that every kernel's
 * element accesses stay monomorphic in V8; one shared loop over all kinds would be several times
 * slower on the 1 MiB allreduce that the benchmark measures.
 */
import type { BuiltinOpName } from "./op.ts";
import type { AnyTypedArray } from "../wire/typed-array.ts";

export type Kernel = (out: AnyTypedArray, a: AnyTypedArray, b: AnyTypedArray, n: number) => void;
/**
 * `fold(out, a, b, c, d, n)` sets `out[i] = ((a[i] op b[i]) op c[i]) op d[i]`: the same order, so
 * bitwise the same result, as three kernel calls, with one pass over `out` instead of three (a
 * 16-way reduction of 64 KiB blocks took 110-130 us instead of 170-180 us).
 */
export type FoldKernel = (out: AnyTypedArray, a: AnyTypedArray, b: AnyTypedArray, c: AnyTypedArray, d: AnyTypedArray, n: number) => void;

type ElementClass = "float" | "integer" | "bigint";

/**
 * The expression combining `x` and `y`, per element class; absent = the op does not apply.
 *
 * Integer results wrap as C's do (MPICH's allred.c checks it): a typed-array store already takes
 * the value modulo 2^bits, so each expression only has to be exact modulo 2^32 before the store,
 * including the unstored intermediates of a fold. Sums are: every element is below 2^32 in size,
 * so four of them add exactly in a double. Products are not (a double keeps 53 bits: 0xfffffffb *
 * 0xfffffffc came out 0 modulo 2^32, not 20), so they are Math.imul, exact modulo 2^32, which is
 * all an 8-, 16- or 32-bit store keeps. Bitwise results are int32, the same bits as the unsigned
 * kinds' after the store. BigInt arithmetic is exact and BigInt64/BigUint64 stores wrap it.
 */
const EXPRESSIONS: Partial<Record<BuiltinOpName, Partial<Record<ElementClass, string>>>> = {
  SUM: { float: "x + y", integer: "x + y", bigint: "x + y" },
  PROD: { float: "x * y", integer: "Math.imul(x, y)", bigint: "x * y" },
  // Math.min/max keep NaN and order -0 below +0 in either operand order.
  MIN: { float: "Math.min(x, y)", integer: "x < y ? x : y", bigint: "x < y ? x : y" },
  MAX: { float: "Math.max(x, y)", integer: "x > y ? x : y", bigint: "x > y ? x : y" },
  LAND: { integer: "(x !== 0 && y !== 0) ? 1 : 0", bigint: "(x !== 0n && y !== 0n) ? 1n : 0n" },
  LOR: { integer: "(x !== 0 || y !== 0) ? 1 : 0", bigint: "(x !== 0n || y !== 0n) ? 1n : 0n" },
  LXOR: { integer: "((x !== 0) !== (y !== 0)) ? 1 : 0", bigint: "((x !== 0n) !== (y !== 0n)) ? 1n : 0n" },
  BAND: { integer: "x & y", bigint: "x & y" },
  BOR: { integer: "x | y", bigint: "x | y" },
  BXOR: { integer: "x ^ y", bigint: "x ^ y" },
  REPLACE: { float: "y", integer: "y", bigint: "y" },
  NO_OP: { float: "x", integer: "x", bigint: "x" },
};

export function elementClass(array: AnyTypedArray): ElementClass {
  if (array instanceof Float64Array || array instanceof Float32Array) return "float";
  if (array instanceof BigInt64Array || array instanceof BigUint64Array) return "bigint";
  return "integer";
}

const cache = new Map<string, Kernel | FoldKernel>();

/**
 * Compiles (once per op, kind and shape) a loop over `inputs` arrays folded left to right with the
 * op's expression. The op and kind in the source make each text distinct, so V8's compilation
 * cache cannot hand two kinds one shared function (and one polymorphic feedback vector).
 */
function compile(op: BuiltinOpName, sample: AnyTypedArray, inputs: readonly string[]): Kernel | FoldKernel | undefined {
  const kind = sample.constructor.name;
  const key = `${op}:${kind}:${inputs.length}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const expression = EXPRESSIONS[op]?.[elementClass(sample)];
  if (expression === undefined) return undefined;
  const steps = inputs.slice(1).map((input) => `y = ${input}[i]; x = ${expression};`).join(" ");
  const kernel = new Function(
    "out",
    ...inputs,
    "n",
    `"use strict"; // ${op} over ${kind}, ${inputs.length} inputs\nfor (let i = 0; i < n; i++) { let x = ${inputs[0]}[i], y; ${steps} out[i] = x; }`,
  ) as Kernel | FoldKernel;
  cache.set(key, kernel);
  return kernel;
}

/** The kernel for `op` over arrays like `sample`, or `undefined` if the op does not apply to them. */
export function kernelFor(op: BuiltinOpName, sample: AnyTypedArray): Kernel | undefined {
  return compile(op, sample, ["a", "b"]) as Kernel | undefined;
}

/** The four-input fold for `op` over arrays like `sample`, or `undefined` if the op does not apply. */
export function foldKernelFor(op: BuiltinOpName, sample: AnyTypedArray): FoldKernel | undefined {
  return compile(op, sample, ["a", "b", "c", "d"]) as FoldKernel | undefined;
}
