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
 * @internal
 */
import { forcedAlgorithm } from "../env.ts";
import type { CollectiveName } from "./collective-ids.ts";

export interface SelectionInput {
  /** Ranks in the communicator. */
  size: number;
  /** Bytes each rank contributes, when every rank knows it (typed arrays of agreed length). */
  bytes?: number | undefined;
  /** Whether the op may be applied in any order (reductions only). */
  commutative?: boolean | undefined;
  /** The data is a typed array: raw frames and in-place kernels apply. */
  typedArray?: boolean | undefined;
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

/** The selection table. Add a collective's rows here, not inside its entry point. */
export const TABLE: Partial<Record<CollectiveName, readonly Row[]>> = {
  barrier: [{ when: always, use: "dissemination" }],
  allreduce: [{ when: always, use: "recursive-doubling" }],
  allgather: [{ when: always, use: "ring" }],
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
    warnOnce(`${collective}:${forced}`, `tsmpi: TSMPI_COLL_${collective.toUpperCase()}=${forced} ignored: ${verdict}; using the default selection`);
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
