/**
 * Crossover timing for the data-movement collectives' selection rows (coll/select.ts): every
 * algorithm of gather, scatter, allgather, alltoall, scan, exscan and reduceScatter, forced through
 * TSMPI_COLL_<NAME> (read at each call, so one job times them all), at a few block sizes. Rank 0
 * prints one line per case: `collective algorithm bytes median_us`. By hand:
 *   node packages/launcher/bin/tsmpirun.js -n 8 bench/collectives/tsmpi-data-movement.ts [--only=gather,scatter] [--sizes=8,1024]
 */
import { Op, init, type Comm } from "@tsmpi/runtime";

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const only = args.get("only")?.split(",");
const sizes = (args.get("sizes") ?? "8,1024,16384,131072,1048576").split(",").map(Number);
const world = await init();
const { rank, size } = world;

type Runner = (comm: Comm, bytes: number) => Promise<unknown>;
const block = (bytes: number): Float64Array => new Float64Array(Math.max(1, bytes / 8)).fill(rank);
const CASES: Array<[collective: string, variable: string, algorithms: string[], run: Runner]> = [
  ["gather", "GATHER", ["binomial", "linear"], (c, b) => c.gather(block(b), 0)],
  ["scatter", "SCATTER", ["binomial", "linear"], (c, b) => c.scatter(c.rank === 0 ? Array.from({ length: c.size }, () => block(b)) : undefined, 0)],
  ["allgather", "ALLGATHER", ["ring", "bruck", "recursive-doubling"], (c, b) => c.allgather(block(b))],
  ["alltoall", "ALLTOALL", ["pairwise", "bruck"], (c, b) => c.alltoall(Array.from({ length: c.size }, () => block(b)))],
  ["scan", "SCAN", ["recursive-doubling", "linear"], (c, b) => c.scan(block(b), Op.SUM)],
  ["exscan", "EXSCAN", ["recursive-doubling", "linear"], (c, b) => c.exscan(block(b), Op.SUM)],
  // `bytes` is the whole vector here; each rank keeps bytes / p.
  ["reduceScatter", "REDUCE_SCATTER", ["ring", "recursive-halving", "via-reduce"], (c, b) => c.reduceScatter(block(b * c.size), Op.SUM)],
];

function plan(bytes: number): { warmup: number; reps: number } {
  if (bytes >= 1 << 20) return { warmup: 1, reps: 5 };
  if (bytes >= 1 << 17) return { warmup: 2, reps: 10 };
  return { warmup: 5, reps: 40 };
}

for (const [collective, variable, algorithms, run] of CASES) {
  if (only !== undefined && !only.includes(collective)) continue;
  for (const bytes of sizes) {
    for (const algorithm of algorithms) {
      if (algorithm === "recursive-doubling" && collective === "allgather" && (size & (size - 1)) !== 0) continue;
      process.env[`TSMPI_COLL_${variable}`] = algorithm;
      const { warmup, reps } = plan(bytes);
      for (let i = 0; i < warmup; i++) await run(world, bytes);
      const samples: number[] = [];
      for (let i = 0; i < reps; i++) {
        await world.barrier();
        const start = performance.now();
        await run(world, bytes);
        // The slowest rank's time: what the call costs the job.
        samples.push(await world.allreduce(performance.now() - start, Op.MAX));
      }
      samples.sort((a, b) => a - b);
      if (rank === 0) console.log(`${collective} ${algorithm} ${bytes} ${(samples[samples.length >> 1]! * 1000).toFixed(0)}`);
    }
    delete process.env[`TSMPI_COLL_${variable}`];
  }
}
