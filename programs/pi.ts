/**
 * Pi by reduction, both examples of the lesson (issue 4):
 *
 * - darts: every rank throws its share of darts at the unit square with its own seeded,
 *   reproducible random stream and counts hits inside the quarter circle; the counts (integers:
 *   exact in any order) are combined with `reduce`. The same seed and rank count always give the
 *   same estimate.
 * - series: pi = 4 * sum_{i=0..N} (-1)^i / (2i+1), the index range split evenly over the ranks and
 *   the partial sums combined with `allreduce` (a floating-point sum: the last bits depend on the
 *   split).
 *
 * With --pmap the same work goes through `pmap` as many small chunks (dynamic load balancing);
 * darts then draw one stream per chunk, so the estimate is the same at every rank count.
 *
 *     tsmpirun -n 4 programs/pi.ts --method both --n 10000000 --seed 42
 */
import { finalize, init, Op, pmap, type Comm } from "@tsmpi/runtime";
import { countHits, dartsSigma } from "./pi/darts.ts";
import { parsePiOptions, USAGE, UsageError, type PiOptions } from "./pi/options.ts";
import { streamFor } from "./pi/random.ts";
import { seriesPart } from "./pi/series.ts";
import { evenPart } from "./pi/split.ts";

const USAGE_EXIT = 2;
const world = await init();
const { rank, size } = world;

/** Rank 0 explains, every rank exits with `code`; the barrier lets rank 0 print first. */
async function quit(message: string, code: number): Promise<never> {
  if (rank === 0) (code === 0 ? console.log : console.error)(message);
  await world.barrier();
  await finalize();
  process.exit(code);
}

let parsed: PiOptions | undefined;
try {
  parsed = parsePiOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  await quit(`pi: ${error.message}\n(see --help)`, USAGE_EXIT);
}
const options = parsed!;
if (options.help) await quit(USAGE, 0);

function printEstimate(method: string, estimate: number, started: number, extra = ""): void {
  const seconds = (performance.now() - started) / 1000;
  console.log(`${method}: pi ~ ${estimate}  error ${(estimate - Math.PI).toExponential(3)}${extra}  time ${seconds.toFixed(3)} s`);
}

async function darts(comm: Comm, { n, seed }: PiOptions): Promise<void> {
  await comm.barrier();
  const started = performance.now();
  const mine = evenPart(n, comm.size, comm.rank).count;
  const hits = await comm.reduce(countHits(streamFor(seed, comm.rank), mine), Op.SUM, 0);
  if (hits === undefined) return;
  console.log(`darts: ${n} darts on ${comm.size} rank${comm.size === 1 ? "" : "s"}, seed ${seed}, one stream per rank, hits ${hits}`);
  printEstimate("darts", (4 * hits) / n, started, `  sigma ${dartsSigma(n).toExponential(2)}`);
}

async function dartsPmap(comm: Comm, { n, seed, chunks }: PiOptions): Promise<void> {
  await comm.barrier();
  const started = performance.now();
  const count = Math.min(chunks, n);
  const items = comm.rank === 0 ? Array.from({ length: count }, (_, id) => ({ id, darts: evenPart(n, count, id).count })) : undefined;
  const perChunk = await pmap(comm, items, ({ id, darts }) => countHits(streamFor(seed, id), darts));
  if (perChunk === undefined) return;
  const hits = perChunk.reduce((a, b) => a + b, 0);
  console.log(`darts: ${n} darts on ${comm.size} rank${comm.size === 1 ? "" : "s"}, seed ${seed}, pmap over ${count} chunks (one stream per chunk), hits ${hits}`);
  printEstimate("darts", (4 * hits) / n, started, `  sigma ${dartsSigma(n).toExponential(2)}`);
}

async function series(comm: Comm, { n }: PiOptions): Promise<void> {
  await comm.barrier();
  const started = performance.now();
  const { start, count } = evenPart(n + 1, comm.size, comm.rank);
  const sum = await comm.allreduce(seriesPart(start, start + count), Op.SUM);
  if (comm.rank !== 0) return;
  console.log(`series: i = 0..${n} on ${comm.size} rank${comm.size === 1 ? "" : "s"}`);
  printEstimate("series", 4 * sum, started);
}

async function seriesPmap(comm: Comm, { n, chunks }: PiOptions): Promise<void> {
  await comm.barrier();
  const started = performance.now();
  const count = Math.min(chunks, n + 1);
  const items = comm.rank === 0 ? Array.from({ length: count }, (_, k) => evenPart(n + 1, count, k)) : undefined;
  const parts = await pmap(comm, items, ({ start, count: terms }) => seriesPart(start, start + terms));
  if (parts === undefined) return;
  // In chunk order on the root: the same sum at every rank count.
  const sum = parts.reduce((a, b) => a + b, 0);
  console.log(`series: i = 0..${n} on ${comm.size} rank${comm.size === 1 ? "" : "s"}, pmap over ${count} chunks`);
  printEstimate("series", 4 * sum, started);
}

if (options.method !== "series") await (options.pmap ? dartsPmap : darts)(world, options);
if (options.method !== "darts") await (options.pmap ? seriesPmap : series)(world, options);
await finalize();
