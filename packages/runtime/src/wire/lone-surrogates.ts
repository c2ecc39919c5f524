/**
 * msgpackr encodes strings as UTF-8, which has no form for a lone UTF-16 surrogate: `"a\ud800b"`
 * would arrive as `"a\ufffdb"`. Such a value is refused instead of changed. One walk over the
 * value's strings (object and Map keys included); typed arrays are not looked into.
 */
import { UnserializableError } from "./unserializable.ts";

const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Throws {@link UnserializableError} if a string anywhere in `value` has a lone surrogate. */
export function refuseLoneSurrogates(value: unknown, seen?: Set<object>): void {
  if (typeof value === "string") {
    if (!isWellFormed(value)) throw new UnserializableError(`a string with a lone UTF-16 surrogate cannot be sent unchanged (${JSON.stringify(value.slice(0, 40))})`);
    return;
  }
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || value instanceof Date) return;
  const visited = seen ?? new Set<object>();
  if (visited.has(value)) return;
  visited.add(value);
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (typeof item === "string" || (typeof item === "object" && item !== null)) refuseLoneSurrogates(item, visited);
    return;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      refuseLoneSurrogates(key, visited);
      refuseLoneSurrogates(item, visited);
    }
    return;
  }
  if (value instanceof Set) {
    for (const item of value) refuseLoneSurrogates(item, visited);
    return;
  }
  for (const key of Object.keys(value)) {
    refuseLoneSurrogates(key, visited);
    refuseLoneSurrogates((value as Record<string, unknown>)[key], visited);
  }
}
