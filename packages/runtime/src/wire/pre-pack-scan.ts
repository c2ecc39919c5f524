/**
 * One walk over a value before msgpackr packs it, for the two things msgpackr would change
 * silently: a lone UTF-16 surrogate (UTF-8 has no form for it, so `"a\ud800b"` would arrive as
 * `"a\ufffdb"`) is refused, and a -0 (packed as the integer 0) is reported so that the caller
 * marks it. Object and Map keys are strings too and are checked; typed arrays travel as raw bytes
 * and are not looked into. Shared and cyclic references are visited once.
 */
import { UnserializableError } from "./unserializable.ts";

const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

function refuseIfIllFormed(text: string): void {
  if (!isWellFormed(text)) {
    throw new UnserializableError(`a string with a lone UTF-16 surrogate cannot be sent unchanged (${JSON.stringify(text.slice(0, 40))})`);
  }
}

/** True for -0, which compares equal to 0 and differs only in the sign of its reciprocal. */
export function isNegativeZero(value: unknown): boolean {
  return value === 0 && 1 / (value as number) < 0;
}

/**
 * Throws {@link UnserializableError} if a string anywhere in `value` has a lone surrogate;
 * otherwise returns whether `value` holds a -0 anywhere.
 */
export function scanBeforePacking(value: unknown): boolean {
  if (typeof value === "number") return isNegativeZero(value);
  if (typeof value === "string") {
    refuseIfIllFormed(value);
    return false;
  }
  if (typeof value !== "object" || value === null) return false;
  return scanObject(value, new Set<object>());
}

function scanItem(value: unknown, visited: Set<object>): boolean {
  switch (typeof value) {
    case "number":
      return isNegativeZero(value);
    case "string":
      refuseIfIllFormed(value);
      return false;
    case "object":
      return value !== null && scanObject(value, visited);
    default:
      return false;
  }
}

function scanObject(value: object, visited: Set<object>): boolean {
  if (ArrayBuffer.isView(value) || value instanceof Date || visited.has(value)) return false;
  visited.add(value);
  let negativeZero = false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (scanItem(item, visited)) negativeZero = true;
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      if (scanItem(key, visited)) negativeZero = true;
      if (scanItem(item, visited)) negativeZero = true;
    }
  } else if (value instanceof Set) {
    for (const item of value) if (scanItem(item, visited)) negativeZero = true;
  } else {
    for (const key of Object.keys(value)) {
      refuseIfIllFormed(key);
      if (scanItem((value as Record<string, unknown>)[key], visited)) negativeZero = true;
    }
  }
  return negativeZero;
}
