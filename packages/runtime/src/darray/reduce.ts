/**
 * Reductions over the owned elements of a DArray. Each rank folds its block in row-major order
 * (a fixed order), the per-rank results are allgathered and folded in rank order on every rank:
 * one small collective, the same bits on every rank, and the same bits on every run with the
 * same process grid. Floating-point sums still depend on the decomposition (a different grid
 * adds in a different order); `sumExact` does not: it keeps the running sum as Shewchuk's
 * non-overlapping partials (Python's math.fsum), which are exact, so combining them in any order
 * gives the correctly rounded sum of all the elements, the same for every grid and equal to the
 * serial fsum.
 * Internal to the runtime, not part of its API.
 */
import type { Comm } from "../comm/comm.ts";
import { invalidArguments } from "../errors.ts";
import { Op, type OpLike } from "../ops/op.ts";
import { elementClass, kernelFor } from "../ops/typed-kernels.ts";
import { applyLocal } from "../pmap/local-op.ts";
import type { AnyTypedArray } from "../wire/typed-array.ts";
import type { Layout } from "./layout.ts";
import { forEachRun, ownedBox, type Elements } from "./region.ts";
import type { DArrayKind, DArrayTypedArray } from "./types.ts";

type Scalar = number | bigint;

/** Folds `step` over the owned elements, row-major; undefined for an empty block. */
export function foldOwned<T>(storage: Elements, layout: Layout, first: (value: Scalar) => T, step: (acc: T, value: Scalar) => T): T | undefined {
  let acc: T | undefined;
  let started = false;
  forEachRun(layout.strides, ownedBox(layout), (offset, length) => {
    let k = offset;
    const end = offset + length;
    if (!started && k < end) {
      acc = first(storage[k++]!);
      started = true;
    }
    let a = acc as T;
    for (; k < end; k++) a = step(a, storage[k]!);
    acc = a;
  });
  return acc;
}

/** Every rank's partial result folded in rank order (ranks with empty blocks skipped); the same on every rank. */
export async function combine<T>(comm: Comm, partial: T | undefined, fold: (a: T, b: T) => T): Promise<T | undefined> {
  // One item per rank, tagged, because `undefined` does not survive every codec path the same way.
  const all = await comm.allgather(partial === undefined ? { empty: true as const } : { empty: false as const, value: partial });
  let acc: T | undefined;
  for (const item of all) {
    if (item.empty) continue;
    acc = acc === undefined ? item.value : fold(acc, item.value);
  }
  return acc;
}

export function emptyArray(rank: number, call: string): never {
  throw invalidArguments(
    { rank, call },
    "the DArray has no elements, and this reduction has no value for an empty array (sum alone gives 0)",
  );
}

export function applyOp<T>(op: OpLike<T>, a: T, b: T, rank: number, call: string): T {
  return applyLocal(op, a, b, { rank, call });
}

/**
 * A built-in `op` over two elements of an integer `kind`, through the kernel allreduce runs on
 * that kind, so that the result wraps as C's does (a product in doubles loses its low bits past
 * 2^53, a BigInt one is never cut to 64 bits): each step stores into one-element arrays of the
 * kind. Undefined for a float kind or an op given as a function.
 */
export function integerStep(op: unknown, kind: DArrayKind<DArrayTypedArray>): ((a: Scalar, b: Scalar) => Scalar) | undefined {
  if (!(op instanceof Op) || op.builtin === undefined) return undefined;
  const acc = new kind(1) as AnyTypedArray;
  const operand = new kind(1) as AnyTypedArray;
  if (elementClass(acc) === "float") return undefined;
  const kernel = kernelFor(op.builtin, acc);
  if (kernel === undefined) return undefined;
  const accElements = acc as unknown as Elements;
  const operandElements = operand as unknown as Elements;
  return (a, b) => {
    accElements[0] = a;
    operandElements[0] = b;
    kernel(acc, acc, operand, 1);
    return accElements[0]!;
  };
}

export const add = (a: Scalar, b: Scalar): Scalar => (a as number) + (b as number);
// NaN wins, as in Math.max and Julia's maximum: `!(b <= a)` is true for a NaN b.
export const larger = (a: Scalar, b: Scalar): Scalar => (a !== a ? a : !(b <= a) ? b : a);
export const smaller = (a: Scalar, b: Scalar): Scalar => (a !== a ? a : !(b >= a) ? b : a);

/**
 * Shewchuk's exact running sum: `partials` are non-overlapping doubles, smallest first, whose
 * exact sum is the exact sum of everything added. Non-finite values go to `special`.
 */
export class ExactSum {
  readonly partials: number[] = [];
  special = 0;
  hasSpecial = false;

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.special += value;
      this.hasSpecial = true;
      return;
    }
    const partials = this.partials;
    let x = value;
    let i = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j]!;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }

  /** The correctly rounded sum (math.fsum's final rounding, half-even on the exact value). */
  value(): number {
    if (this.hasSpecial) return this.special;
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}
