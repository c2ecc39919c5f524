/**
 * Reproducible random streams for the darts: mulberry32 (a small 32-bit generator with a good
 * spread), one stream per id. Plain runs use one stream per rank (id = rank); pmap runs one per
 * chunk (id = chunk index), so their result does not depend on which rank ran which chunk.
 */

/** mulberry32: uniform numbers in [0, 1) with 32 random bits each. */
export function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stream `id` for `seed`: the seed mixed with the id, so streams differ but are reproducible. */
export function streamFor(seed: number, id: number): () => number {
  return mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id + 1, 0xc2b2ae35));
}
