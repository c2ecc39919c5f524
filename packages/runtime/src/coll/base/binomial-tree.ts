/**
 * The binomial tree of `size` ranks rooted at `root`, built in one place for every algorithm that
 * walks it (Open MPI's coll_base_topo.c does the same): bcast, reduce, gather and scatter by
 * binomial tree, and the shared-memory wake-up.
 *
 * Ranks are numbered relative to the root (`relative = (rank - root) mod size`). The parent of
 * relative rank v is v with its lowest set bit cleared; its children are v + m for each power of
 * two m below that bit (below the tree's height at the root) that stays under `size`. The subtree
 * of child v + m holds the relative ranks v + m .. min(v + 2m, size) - 1.
 *
 * ```
 * size 6, root 0:      0
 *                   /  |  \
 *                  4   2   1
 *                  |   |
 *                  5   3
 * ```
 * @internal
 */

/** One edge of the tree: the real rank at its far end and the power of two that separates them. */
export interface TreeEdge {
  readonly rank: number;
  readonly mask: number;
}

export interface BinomialTree {
  /** This rank's number relative to the root. */
  readonly relative: number;
  /** The real rank of relative rank `v`. */
  real(v: number): number;
  /** The parent, or undefined at the root. */
  readonly parent: TreeEdge | undefined;
  /** The children, largest subtree first. */
  readonly children: readonly TreeEdge[];
}

export function binomialTree(rank: number, size: number, root: number): BinomialTree {
  const relative = (rank - root + size) % size;
  const real = (v: number): number => (v + root) % size;
  let mask = 1;
  while (mask < size && (relative & mask) === 0) mask <<= 1;
  const parent = relative === 0 ? undefined : { rank: real(relative - mask), mask };
  const children: TreeEdge[] = [];
  for (let below = mask >> 1; below >= 1; below >>= 1) {
    if (relative + below < size) children.push({ rank: real(relative + below), mask: below });
  }
  return { relative, real, parent, children };
}
