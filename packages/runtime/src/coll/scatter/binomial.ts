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
import { collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";

export const scatterBinomial = {
  name: "binomial",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, items: readonly T[] | undefined, root: number): Promise<T> {
    const { rank, size } = call.core;
    const v = (rank - root + size) % size;
    let bundle: Buffer;
    let mask = 1;
    let round = 0;
    if (v === 0) {
      const encoded = [];
      for (let j = 0; j < size; j++) encoded.push(collEncode(call, items![(j + root) % size]));
      bundle = packBundle(encoded);
      while (mask < size) (mask <<= 1), round++;
    } else {
      while (!(v & mask)) (mask <<= 1), round++;
      bundle = receivedBundle(await collRecv(call, (v - mask + root) % size, round));
    }
    // `bundle` holds items v .. v + count - 1; the subtree below this rank is `mask` wide.
    const { payloads, offsets } = unpackBundle(bundle);
    const count = payloads.length;
    const sends: Promise<void>[] = [];
    for (mask >>= 1, round--; mask > 0; mask >>= 1, round--) {
      if (v + mask >= size) continue;
      const end = Math.min(2 * mask, count);
      sends.push(collSend(call, (v + mask + root) % size, round, bundlePayload(bundle.subarray(offsets[mask], offsets[end]))));
    }
    const own = decodeBundleEntry<T>(call, payloads[0]!, root);
    await Promise.all(sends);
    return own;
  },
};
