/** Part `index` of `n` items split in `parts` as evenly as possible: the first n % parts get one more. */
export function evenPart(n: number, parts: number, index: number): { start: number; count: number } {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return { start: index * base + Math.min(index, extra), count: base + (index < extra ? 1 : 0) };
}
