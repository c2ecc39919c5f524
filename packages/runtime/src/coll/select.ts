/**
 * Which algorithm runs a collective: ordered rows per collective, first match wins, the last row is
 * an always-safe fallback (MPICH `maint/tuning/coll/mpir/generic.json`, Open MPI
 * `coll_tuned_decision_fixed.c`). Rows only read values that every rank holds identically (comm
 * size, agreed byte counts, op commutativity), so every rank picks the same algorithm; if only the
 * root knows a size (bcast of an object), no row may use it. Each threshold names the benchmark
 * run behind it.
 *
 * `TSMPI_COLL_<COLLECTIVE>=<algorithm>` forces an algorithm (e.g. `TSMPI_COLL_ALLREDUCE=ring`); one
 * that cannot run on the given input warns once, says why, and the table decides instead.
 * Internal to the runtime, not part of its API.
 */
import { forcedAlgorithm, forcedAlgorithmVariable } from "../env.ts";
import type { CollectiveName } from "../core/collective-ids.ts";

export interface SelectionInput {
  /** Ranks in the communicator. */
  size: number;
  /** Bytes each rank contributes, when every rank knows it (typed arrays of agreed length). */
  bytes?: number | undefined;
  /** Whether the op may be applied in any order (reductions only). */
  commutative?: boolean | undefined;
  /** The data is a typed array: raw bytes and in-place kernels apply. */
  typedArray?: boolean | undefined;
  /** The op is a built-in one (compiled typed-array kernels), not a user function. */
  builtinOp?: boolean | undefined;
  /** Every rank of the communicator is on this host and may use shared memory (coll/shared-region.ts). */
  sharedMemory?: boolean | undefined;
}

export interface Algorithm<Run> {
  readonly name: string;
  /** `true`, or why the algorithm cannot run on this input. */
  canRun(input: SelectionInput): true | string;
  readonly run: Run;
}

export interface Row {
  when: (input: SelectionInput) => boolean;
  use: string;
}

export const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;
const always = (): boolean => true;

// Thresholds (bytes per rank) from the sweeps in bench/results/coll-allreduce-sweep.tsv and
// bench/results/coll-bcast-sweep.tsv (`node --import tsx bench/collectives/sweep.ts allreduce|bcast
// 4,8,16`: Float64Array, 8 B .. 8 MiB, every algorithm forced, on a 2-core VM where np >= 4 is
// oversubscribed and other jobs ran alongside, so medians are noisy and favour few rounds).
// test/architecture/selection-table.test.ts holds the rows below against those files and lists the
// cells where the table's pick is not within its tolerance of the fastest.
// allreduce: rabenseifner is first fastest at np 16, 8 MiB (coll-allreduce-sweep.tsv).
const ALLREDUCE_LARGE = 4 * 1024 * 1024;
const ALLREDUCE_LARGE_MIN_SIZE = 16;
// bcast: binomial is fastest everywhere but np 16, 8 MiB (coll-bcast-sweep.tsv).
const BCAST_LARGE = 4 * 1024 * 1024;
const BCAST_LARGE_MIN_SIZE = 16;
/** reduceScatter vector bytes from which the ring wins (np 8, bench/results/data-movement.md). */
const REDUCE_SCATTER_RING = 8 * 1024 * 1024;

/** The selection table. Add a collective's rows here, not inside its entry point. */
export const TABLE: Partial<Record<CollectiveName, readonly Row[]>> = {
  barrier: [
    { when: (i) => i.sharedMemory === true, use: "shared-memory" },
    { when: always, use: "dissemination" },
  ],
  allreduce: [
    { when: (i) => i.sharedMemory === true && i.typedArray === true && i.builtinOp === true && (i.bytes ?? 0) > 0, use: "shared-memory" },
    // bench: allreduce crossover at np 16 (bench/results/coll-allreduce-sweep.tsv)
    {
      when: (i) => i.typedArray === true && i.commutative === true && i.size >= ALLREDUCE_LARGE_MIN_SIZE && (i.bytes ?? 0) >= ALLREDUCE_LARGE,
      use: "rabenseifner",
    },
    // "ring" has no row: it is never the fastest in coll-allreduce-sweep.tsv (forced only,
    // TSMPI_COLL_ALLREDUCE=ring).
    { when: always, use: "recursive-doubling" },
    { when: always, use: "reduce-bcast" },
  ],
  // `bytes` is set only when every rank knows it (bcast/index.ts): never from `bcast(data, root)`.
  // bench: bcast crossover at np 16 (bench/results/coll-bcast-sweep.tsv)
  bcast: [
    { when: (i) => i.sharedMemory === true, use: "shared-memory" },
    { when: (i) => i.typedArray === true && i.size >= BCAST_LARGE_MIN_SIZE && (i.bytes ?? 0) >= BCAST_LARGE, use: "scatter-allgather" },
    { when: always, use: "binomial" },
  ],
  reduce: [{ when: always, use: "binomial" }],
  // Data-movement rows: `node packages/launcher/bin/tsmpirun.js -n {4,8,16}
  // bench/collectives/tsmpi-data-movement.ts`, figures in bench/results/data-movement.md (2 cores,
  // so np 8 and 16 are oversubscribed, and other jobs were running: differences under ~1.5x are noise).
  // gather/scatter/allgather/alltoall blocks may differ between ranks (any value), so those rows use p
  // only. allgather: recursive doubling beat the ring up to 128 KiB blocks at np 4, 8 and 16 and Bruck
  // beat it up to 16 KiB; the ring won only at 1 MiB.
  allgather: [
    { when: (i) => isPowerOfTwo(i.size), use: "recursive-doubling" },
    { when: always, use: "bruck" },
    { when: always, use: "ring" },
  ],
  // linear beat binomial in most (np, block) cells from 8 B to 1 MiB; binomial won only 8 B blocks
  // at np 8 and 16, which no row can see (block sizes may differ between ranks).
  gather: [{ when: always, use: "linear" }],
  // linear beat or tied binomial everywhere except 16 KiB at np 8 (data-movement.md).
  scatter: [{ when: always, use: "linear" }],
  // Bruck beat pairwise at every size up to 128 KiB items at np 8 and 16 but lost at np 4 from
  // 16 KiB and at np 8 with 1 MiB items (data-movement.md).
  alltoall: [
    { when: (i) => i.size >= 8, use: "bruck" },
    { when: always, use: "pairwise" },
  ],
  // The chain beat recursive doubling at np 4 and 8 at every size (oversubscribed cores favour the
  // fewest messages); at np 16 recursive doubling won 8 B and 128 KiB (data-movement.md).
  scan: [
    { when: (i) => i.size >= 16, use: "recursive-doubling" },
    { when: always, use: "linear" },
    { when: always, use: "recursive-doubling" },
  ],
  exscan: [
    { when: (i) => i.size >= 16, use: "recursive-doubling" },
    { when: always, use: "linear" },
    { when: always, use: "recursive-doubling" },
  ],
  // reduceScatter (bytes = the whole vector): the ring won only 1 MiB per rank's share at np 8
  // (8 MiB vectors, data-movement.md); recursive halving won or tied most smaller cells at np 4 and
  // 16; via-reduce is the rank-order fallback for any op.
  reduceScatter: [
    { when: (i) => i.typedArray === true && i.commutative === true && (i.bytes ?? 0) >= REDUCE_SCATTER_RING, use: "ring" },
    { when: (i) => i.commutative === true, use: "recursive-halving" },
    { when: always, use: "via-reduce" },
  ],
  // The vector collectives have one algorithm each, the one of their non-v form that moves every
  // byte once (linear, ring, pairwise); there is no sweep of them to choose between others.
  gatherv: [{ when: always, use: "linear" }],
  scatterv: [{ when: always, use: "linear" }],
  allgatherv: [{ when: always, use: "ring" }],
  alltoallv: [{ when: always, use: "pairwise" }],
  // One round, every neighbour message at once; nothing to choose (coll/neighbor/linear.ts).
  neighborAlltoall: [{ when: always, use: "linear" }],
  neighborAllgather: [{ when: always, use: "linear" }],
  neighborAllgatherv: [{ when: always, use: "linear" }],
  neighborAlltoallv: [{ when: always, use: "linear" }],
};

const warned = new Set<string>();

export function selectAlgorithm<A extends Algorithm<unknown>>(
  collective: CollectiveName,
  input: SelectionInput,
  algorithms: Readonly<Record<string, A>>,
): A {
  const forced = forcedAlgorithm(collective);
  if (forced !== undefined) {
    const algorithm = algorithms[forced];
    const verdict = algorithm === undefined ? `there is no such algorithm (known: ${Object.keys(algorithms).join(", ")})` : algorithm.canRun(input);
    if (verdict === true && algorithm !== undefined) return algorithm;
    warnOnce(`${collective}:${forced}`, `tsmpi: ${forcedAlgorithmVariable(collective)}=${forced} ignored: ${verdict}; using the default selection`);
  }
  for (const row of TABLE[collective] ?? []) {
    const algorithm = algorithms[row.use];
    if (algorithm !== undefined && row.when(input) && algorithm.canRun(input) === true) return algorithm;
  }
  throw new Error(`no algorithm can run ${collective} for ${JSON.stringify(input)}: the selection table lacks a fallback row`);
}

function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { code: "TSMPI_COLL_FORCED" });
}
