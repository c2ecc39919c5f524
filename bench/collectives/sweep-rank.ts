/**
 * One rank of the collective sweep: times `allreduce` (Float64Array SUM) or `bcast` (Float64Array,
 * buffer form) over sizes 8 B .. 8 MiB with whatever algorithm TSMPI_COLL_<NAME> forces; rank 0
 * prints one JSON line per size: the median of the per-call maximum over ranks, in microseconds.
 */
import { finalize, init, Op } from "@tsmpi/runtime";

const collective = process.argv[2] ?? "allreduce";
const world = await init();
const sizes = [8, 64, 512, 4096, 32768, 131072, 524288, 2097152, 8388608];
for (const bytes of sizes) {
  const n = bytes / 8;
  const data = new Float64Array(n).fill(world.rank + 1);
  const buffer = new Float64Array(n);
  const run = (): Promise<unknown> =>
    collective === "allreduce" ? world.allreduce(data, Op.SUM) : world.bcast(world.rank === 0 ? data : buffer, 0);
  for (let i = 0; i < 3; i++) await run();
  const iterations = Math.max(5, Math.min(200, Math.floor(2e6 / Math.max(bytes, 4096))));
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    await world.barrier();
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  const slowest = await world.allreduce(Float64Array.from(times), Op.MAX);
  const sorted = [...slowest].sort((a, b) => a - b);
  if (world.rank === 0) {
    console.log(JSON.stringify({ collective, np: world.size, algorithm: process.env[`TSMPI_COLL_${collective.toUpperCase()}`] ?? "auto", bytes, us: Math.round(sorted[sorted.length >> 1]!) }));
  }
}
await finalize();
