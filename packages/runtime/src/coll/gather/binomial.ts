/**
 * Binomial-tree gather (MPICH `gather_intra_binomial`): ceil(log2 p) rounds. Ranks are numbered
 * relative to the root (v = (rank - root) mod p); in round k a rank with bit k set sends everything
 * it holds (its subtree's blocks, v .. v + 2^k - 1) to v - 2^k and stops; the others receive from
 * v + 2^k. Each block is encoded once where it starts and travels as an entry of a bundle (bundle.ts), so
 * a hop concatenates bytes and never decodes or re-encodes. Bytes into the root: (p - 1) blocks;
 * a block from subtree depth d crosses d links, so large blocks favour `linear`. Any p: a partner
 * v + 2^k >= p is simply absent. Any root.
 * ```
 * p = 6, root 0:  round 0: 1->0 3->2 5->4   round 1: 2->0 (b2,b3)   round 2: 4->0 (b4,b5)
 * ```
 */
import { receivedBundle, bundlePayload, decodeBundleEntry, packBundle, unpackBundle } from "../bundle.ts";
import { collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";
import { binomialTree } from "../base/binomial-tree.ts";

export const gatherBinomial = {
  name: "binomial",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T, root: number): Promise<T[] | undefined> {
    const { rank, size } = call.core;
    const tree = binomialTree(rank, size, root);
    // Held entries in relative-rank order: this rank's, then each child subtree's (smallest first)
    // as it arrives; the round of an edge is log2 of its mask.
    const held: Buffer[] = [packBundle([collEncode(call, data)])];
    for (const child of [...tree.children].reverse()) held.push(receivedBundle(await collRecv(call, child.rank, Math.log2(child.mask))));
    if (tree.parent !== undefined) {
      await collSend(call, tree.parent.rank, Math.log2(tree.parent.mask), bundlePayload(held.length === 1 ? held[0]! : Buffer.concat(held)));
      return undefined;
    }
    const { payloads } = unpackBundle(held.length === 1 ? held[0]! : Buffer.concat(held));
    const blocks = new Array<T>(size);
    for (let j = 0; j < size; j++) {
      const owner = (j + root) % size;
      blocks[owner] = decodeBundleEntry<T>(call, payloads[j]!, owner);
    }
    return blocks;
  },
};
