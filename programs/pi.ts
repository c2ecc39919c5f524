/**
 * Pi by Monte-Carlo darts: every rank throws its share of darts at the unit square with its own
 * seeded, reproducible random stream and counts the hits inside the quarter circle; the counts
 * (integers, so the sum is exact in any order) are sent to rank 0, which prints the estimate.
 *
 *     tsmpirun -n 4 programs/pi.ts --n 10000000 --seed 42
 *
 * The same seed and rank count always give the same estimate. A later version combines the counts
 * with a reduction instead of point-to-point messages.
 */
import { parseArgs } from "node:util";
import { finalize, init } from "@tsmpi/runtime";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "10000000" },
    seed: { type: "string", default: "20261124" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("usage: tsmpirun -n P programs/pi.ts [--n DARTS] [--seed S]");
  process.exit(0);
}
const totalDarts = Number(values.n);
const seed = Number(values.seed);
if (!Number.isSafeInteger(totalDarts) || totalDarts < 1) throw new Error(`--n must be a positive integer, got ${values.n}`);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

/** mulberry32: a small 32-bit generator with a good spread; one independent stream per rank. */
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rank r's stream: the seed mixed with the rank, so streams differ but are reproducible. */
function streamFor(rank: number): () => number {
  return mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(rank + 1, 0xc2b2ae35));
}

const world = await init();
const { rank, size } = world;
const started = performance.now();

// Darts split as evenly as possible: the first (total % size) ranks throw one more.
const myDarts = Math.floor(totalDarts / size) + (rank < totalDarts % size ? 1 : 0);
const random = streamFor(rank);
let hits = 0;
for (let i = 0; i < myDarts; i++) {
  const x = random();
  const y = random();
  if (x * x + y * y < 1) hits++;
}

const HITS_TAG = 1;
if (rank !== 0) {
  await world.send(hits, 0, HITS_TAG);
} else {
  let totalHits = hits;
  for (let source = 1; source < size; source++) totalHits += await world.recv<number>(source, HITS_TAG);
  const estimate = (4 * totalHits) / totalDarts;
  const seconds = (performance.now() - started) / 1000;
  console.log(`darts: ${totalDarts} on ${size} ranks, hits ${totalHits}`);
  console.log(`pi ~ ${estimate.toFixed(10)}  error ${(estimate - Math.PI).toExponential(3)}  time ${seconds.toFixed(3)} s`);
}
await finalize();
