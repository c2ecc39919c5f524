/**
 * msgpackr writes -0 as the integer 0 (its integer test is `value >>> 0 === value`), which would make
 * `send(-0)` arrive as `+0`. Values that contain a -0 anywhere are rewritten before packing, with each
 * -0 replaced by a marker that msgpackr carries as an extension and unpacks as -0. The scan stops at
 * the first -0 and looks at no typed array (those travel as raw bytes), so values without -0 pay one
 * pass over their numbers and nothing else.
 */
import { addExtension } from "msgpackr";

class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();

/** Extension type 0x30 ('0'): not among the types msgpackr itself uses for structured clone. */
addExtension({
  Class: NegativeZero,
  type: 0x30,
  write: () => null,
  read: () => -0,
});

function isNegativeZero(value: unknown): boolean {
  return value === 0 && 1 / (value as number) < 0;
}

export function containsNegativeZero(value: unknown, seen?: Set<object>): boolean {
  if (typeof value === "number") return isNegativeZero(value);
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || value instanceof Date) return false;
  const visited = seen ?? new Set<object>();
  if (visited.has(value)) return false;
  visited.add(value);
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (typeof item === "number" ? isNegativeZero(item) : containsNegativeZero(item, visited)) return true;
    }
    return false;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) if (containsNegativeZero(key, visited) || containsNegativeZero(item, visited)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const item of value) if (containsNegativeZero(item, visited)) return true;
    return false;
  }
  for (const key of Object.keys(value)) if (containsNegativeZero((value as Record<string, unknown>)[key], visited)) return true;
  return false;
}

/** A copy of `value` in which every -0 is the marker; shared and cyclic references are kept. */
export function markNegativeZeros(value: unknown, copies = new Map<object, unknown>()): unknown {
  if (typeof value === "number") return isNegativeZero(value) ? NEGATIVE_ZERO : value;
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || value instanceof Date) return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const item of value as unknown[]) copy.push(markNegativeZeros(item, copies));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    copies.set(value, copy);
    for (const [key, item] of value) copy.set(markNegativeZeros(key, copies), markNegativeZeros(item, copies));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    copies.set(value, copy);
    for (const item of value) copy.add(markNegativeZeros(item, copies));
    return copy;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = markNegativeZeros((value as Record<string, unknown>)[key], copies);
  return copy;
}
