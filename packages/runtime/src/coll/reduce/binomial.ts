/**
 * Binomial-tree reduce (MPICH `reduce_intra_binomial`): every rank combines what its children send
 * and passes the result to its parent, halving the number of active ranks each round.
 *
 * Rounds: ceil(log2 p). Bytes moved: each non-root rank sends n once; a rank receives n from each
 * of its children (the root ceil(log2 p) times). Any op, any p (the tree is cut where ranks run out).
 *
 * Non-commutative ops (plain functions, REPLACE): the tree is rooted at rank 0, where every subtree
 * covers a contiguous range of ranks above its own, so combining `f(mine, child)` child by child
 * keeps rank order, `f(f(x0, x1), x2)...`; if `root` is not 0, rank 0 sends the result on (one more
 * round). Commutative ops: the tree is rooted at `root` itself, over ranks relative to it.
 * ```
 * p = 6, root 0:   1->0   3->2   5->4      then 2->0   then 4->0
 *                  (0 holds x0.x1, 2 holds x2.x3, 4 holds x4.x5; 0 then x0..x3, then x0..x5)
 * ```
 */
import type { Op } from "../../ops/op.ts";
import { combine, ownAccumulator } from "../../ops/combine.ts";
import { collRecvValue, collSendValue, type CollectiveCall } from "../messages.ts";
import { binomialTree } from "../base/binomial-tree.ts";

export const reduceBinomial = {
  name: "binomial",
  canRun: (): true => true,
  /** The result on `root`, `undefined` elsewhere; uses steps `firstStep` and `firstStep + 1`. */
  async run<T>(call: CollectiveCall, data: T, op: Op, root: number, firstStep = 0): Promise<T | undefined> {
    const { rank, size } = call.core;
    const site = { rank, call: call.name };
    const treeRoot = op.commutative ? root : 0;
    const tree = binomialTree(rank, size, treeRoot);

    let acc: unknown = data;
    let owned = false;
    // Smallest subtree first: each covers the relative ranks just above this rank's accumulated ones.
    for (const child of [...tree.children].reverse()) {
      const theirs = await collRecvValue(call, child.rank, firstStep);
      if (!owned) {
        acc = ownAccumulator(acc);
        owned = true;
      }
      acc = combine(op, acc, theirs, true, site, child.rank);
    }
    if (tree.parent !== undefined) {
      await collSendValue(call, tree.parent.rank, firstStep, acc);
      if (rank !== root) return undefined;
      return collRecvValue<T>(call, treeRoot, firstStep + 1);
    }
    if (rank === root) return (owned ? acc : ownAccumulator(acc)) as T;
    await collSendValue(call, root, firstStep + 1, acc);
    return undefined;
  },
};
