/**
 * Collective algorithm sweep behind the thresholds in packages/runtime/src/coll/select.ts:
 *   node --import tsx bench/collectives/sweep.ts allreduce 4,8,16 recursive-doubling,ring,rabenseifner,reduce-bcast > bench/results/coll-allreduce-sweep.tsv
 *   node --import tsx bench/collectives/sweep.ts bcast 4,8,16 binomial,scatter-allgather > bench/results/coll-bcast-sweep.tsv
 * Prints a table of median microseconds per call (slowest rank) per algorithm and size; the
 * committed tables are what test/architecture/selection-table.test.ts holds the table against.
 */
import { launch } from "@tsmpi/launcher";
import { fileURLToPath } from "node:url";

const [collective = "allreduce", npList = "4,8,16", algList = "recursive-doubling,ring,rabenseifner,reduce-bcast"] = process.argv.slice(2);
const program = fileURLToPath(new URL("./sweep-rank.ts", import.meta.url));
const table = new Map<string, Map<string, number>>();
for (const np of npList.split(",").map(Number)) {
  for (const algorithm of algList.split(",")) {
    const result = await launch({ np, program, args: [collective], env: { [`TSMPI_COLL_${collective.toUpperCase()}`]: algorithm }, timeout: 600 });
    if (result.exitCode !== 0) throw new Error(`np ${np} ${algorithm}: ${result.failure}\n${result.ranks.map((r) => r.stderr).join("")}`);
    for (const line of result.ranks[0]!.stdout.trim().split("\n")) {
      const row = JSON.parse(line) as { bytes: number; us: number };
      const key = `np ${np} ${row.bytes} B`;
      if (!table.has(key)) table.set(key, new Map());
      table.get(key)!.set(algorithm, row.us);
    }
  }
}
const algorithms = algList.split(",");
console.log(["size", ...algorithms, "best"].join("\t"));
for (const [key, row] of table) {
  const best = algorithms.reduce((a, b) => ((row.get(a) ?? Infinity) <= (row.get(b) ?? Infinity) ? a : b));
  console.log([key, ...algorithms.map((a) => row.get(a) ?? "-"), best].join("\t"));
}
