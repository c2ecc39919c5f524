/**
 * msgpackr writes -0 as the integer 0 (its integer test is `value >>> 0 === value`), which would make
 * `send(-0)` arrive as `+0`. Values that contain a -0 anywhere are rewritten before packing, with each
 * -0 replaced by a marker that msgpackr carries as an extension and unpacks as -0. Whether a value
 * holds a -0 is found by the walk in pre-pack-scan.ts, so values without one are not copied.
 */
import { addExtension } from "msgpackr";
import { isNegativeZero } from "./pre-pack-scan.ts";

class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();

/** Extension type 0x30 ('0'): not among the types msgpackr itself uses for structured clone. */
addExtension({
  Class: NegativeZero,
  type: 0x30,
  write: () => null,
  read: () => -0,
});

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
