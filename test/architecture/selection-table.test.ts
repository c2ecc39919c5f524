/**
 * The selection table (packages/runtime/src/coll/select.ts) against the committed sweeps behind it,
 * bench/results/coll-<collective>-sweep.tsv (`node --import tsx bench/collectives/sweep.ts`): for
 * every swept rank count and size, the algorithm the table picks must be the fastest there or within
 * TOLERANCE of it. Pure logic: no processes, only select.ts's exported `selectAlgorithm`.
 *
 * The input is what a Float64Array SUM allreduce / buffer bcast gives the table (typed array, sizes
 * known on every rank, commutative built-in op), without shared memory: the sweeps forced the
 * message-passing algorithms, and the shared-memory row is not theirs to judge.
 *
 * KNOWN lists the cells where the committed data and the table disagree today. The test fails on a
 * disagreement not listed (a threshold moved, or a new sweep) and on a listed one that went away, so
 * the list always says where the table does not follow its own bench data.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { selectAlgorithm } from "../../packages/runtime/src/coll/select.ts";

// Types from the function itself: helpers and types may move out of select.ts, the entry point stays.
type Collective = Parameters<typeof selectAlgorithm>[0];
type Input = Parameters<typeof selectAlgorithm>[1];
type Algorithms = Parameters<typeof selectAlgorithm>[2];

const RESULTS = fileURLToPath(new URL("../../bench/results/", import.meta.url));
/** How much slower than the fastest the table's pick may be: the sweeps ran on a loaded 2-core VM. */
const TOLERANCE = 0.15;

/** `<collective> np <n> <bytes> B` of the cells where the table's pick is off by more than TOLERANCE. */
const KNOWN = new Set([
  // reduce-bcast is the fastest here, but it stands after an always-true row and is never picked.
  "allreduce np 4 512 B",
  "allreduce np 4 4096 B",
  "allreduce np 4 32768 B",
  "allreduce np 4 131072 B",
  "allreduce np 8 8 B",
  "allreduce np 8 64 B",
  "allreduce np 8 512 B",
  "allreduce np 8 4096 B",
  "allreduce np 8 32768 B",
  "allreduce np 8 131072 B",
  "allreduce np 8 524288 B",
  "allreduce np 8 2097152 B",
  "allreduce np 8 8388608 B",
  "allreduce np 16 2097152 B",
]);

interface SweepCell {
  np: number;
  bytes: number;
  /** Median microseconds per call of each algorithm timed. */
  us: Map<string, number>;
}

/** A sweep file: header `size <algorithm>... best`, rows `np <n> <bytes> B <us>... <best>`. */
function readSweep(file: string): SweepCell[] {
  const [header, ...rows] = readFileSync(file, "utf8").trim().split("\n").map((line) => line.split("\t"));
  const algorithms = header!.slice(1, -1);
  return rows.map((row) => {
    const where = /^np (\d+) (\d+) B$/.exec(row[0]!);
    if (where === null) throw new Error(`${file}: row "${row[0]}" is not "np <n> <bytes> B"`);
    const us = new Map<string, number>();
    algorithms.forEach((name, i) => {
      const value = Number(row[i + 1]);
      if (Number.isFinite(value)) us.set(name, value);
    });
    return { np: Number(where[1]), bytes: Number(where[2]), us };
  });
}

/** Every algorithm name the table may ask for can run, so the pick is the table's rows alone. */
const anyAlgorithm: Algorithms = new Proxy({}, {
  get: (_, name) => (typeof name === "string" ? { name, canRun: (): true => true, run: undefined } : undefined),
});

const sweeps = readdirSync(RESULTS)
  .map((file) => /^coll-(.+)-sweep\.tsv$/.exec(file))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ collective: m[1]!, file: join(RESULTS, m[0]) }));

beforeAll(() => {
  // A forced algorithm would bypass the table.
  for (const name of Object.keys(process.env)) if (name.startsWith("TSMPI_COLL_")) delete process.env[name];
});

test("the allreduce and bcast sweeps are committed", () => {
  expect(sweeps.map((s) => s.collective).sort()).toEqual(["allreduce", "bcast"]);
});

describe.each(sweeps)("the $collective rows of the selection table", ({ collective, file }) => {
  const cells = readSweep(file);
  const verdicts = cells.map((cell) => {
    const input: Input = { size: cell.np, bytes: cell.bytes, typedArray: true, commutative: true, builtinOp: true, sharedMemory: false };
    const picked = selectAlgorithm(collective as Collective, input, anyAlgorithm).name;
    const [fastest, best] = [...cell.us].reduce((a, b) => (b[1] < a[1] ? b : a));
    const time = cell.us.get(picked);
    const key = `${collective} np ${cell.np} ${cell.bytes} B`;
    const within = time !== undefined && time <= best * (1 + TOLERANCE);
    const text =
      time === undefined
        ? `${key}: the table picks ${picked}, which the sweep did not time`
        : `${key}: the table picks ${picked} (${time} us), the sweep's fastest is ${fastest} (${best} us, ${(time / best).toFixed(2)}x)`;
    return { key, within, text };
  });

  test(`picks, at every swept rank count and size, an algorithm within ${TOLERANCE * 100}% of the fastest (but the known cells)`, () => {
    expect(verdicts.filter((v) => !v.within && !KNOWN.has(v.key)).map((v) => v.text)).toEqual([]);
  });

  test("still disagrees with the sweep where KNOWN says so (remove a cell from KNOWN once it agrees)", () => {
    const known = verdicts.filter((v) => KNOWN.has(v.key));
    expect(known.filter((v) => v.within).map((v) => v.text)).toEqual([]);
    expect(known.map((v) => v.key)).toEqual([...KNOWN].filter((k) => k.startsWith(`${collective} `)));
  });
});
