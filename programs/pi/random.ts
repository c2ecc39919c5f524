/**
 * Reproducible random streams for the darts: mulberry32 (a small 32-bit generator with a good
 * spread), one stream per id. Plain runs use one stream per rank (id = rank); pmap runs one per
 * chunk (id = chunk index), so their result does not depend on which rank ran which chunk.
 *
 * A stream is its 32-bit state; darts.ts advances it with mulberry32's steps written out in its
 * loop (a closure call per number made the loop 1.3-1.6x slower).
 */

/** 2^-32: scales 32 random bits into [0, 1) exactly (the same as dividing by 2^32). */
export const TWO_TO_MINUS_32 = 2.3283064365386963e-10;

/** The state of stream `id` for `seed`: the seed mixed with the id, so streams differ but are reproducible. */
export function streamFor(seed: number, id: number): number {
  return Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id + 1, 0xc2b2ae35);
}
