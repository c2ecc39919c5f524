/**
 * Binomial-tree scatter (MPICH `scatter_intra_binomial`): ceil(log2 p) rounds, the gather tree run
 * backwards. Ranks are numbered relative to the root (v = (rank - root) mod p); a rank receives its
 * subtree's items (v .. v + lowbit(v) - 1) from v - lowbit(v), then hands each child v + 2^k the
 * items of that child's subtree, largest subtree first. The root encodes every item once into packed
 * bundle entries (bundle.ts); forwarding sends byte ranges of the received bundle, never re-encoding.
 * Bytes out of the root: (p - 1) items, in log2(p) messages; an item at depth d crosses d links, so
 * large items favour `linear`. Any p (an absent child v + 2^k >= p is skipped), any root.
 * ```
 * p = 6, root 0:  round 2: 0->4 (i4,i5)   round 1: 0->2 (i2,i3)   round 0: 0->1 2->3 4->5
 * ```
 */
import { receivedBundle, bundlePayload, decodeBundleEntry, packBundle, unpackBundle } from "../bundle.ts";
import { binomialTree } from "../base/binomial-tree.ts";
import { collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";

export const scatterBinomial = {
  name: "binomial",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, items: readonly T[] | undefined, root: number): Promise<T> {
    const { rank, size } = call.core;
    const tree = binomialTree(rank, size, root);
    let bundle: Buffer;
    if (tree.parent === undefined) {
      const encoded = [];
      for (let j = 0; j < size; j++) encoded.push(collEncode(call, items![(j + root) % size]));
      bundle = packBundle(encoded);
    } else {
      bundle = receivedBundle(await collRecv(call, tree.parent.rank, Math.log2(tree.parent.mask)));
    }
    // `bundle` holds the items of this rank's subtree in relative order; child v + m gets m of them
    // from offset m (fewer at the edge), in round log2(m).
    const { payloads, offsets } = unpackBundle(bundle);
    const count = payloads.length;
    const sends = tree.children.map((child) =>
      collSend(call, child.rank, Math.log2(child.mask), bundlePayload(bundle.subarray(offsets[child.mask], offsets[Math.min(2 * child.mask, count)]))),
    );
    const own = decodeBundleEntry<T>(call, payloads[0]!, root);
    await Promise.all(sends);
    return own;
  },
};
