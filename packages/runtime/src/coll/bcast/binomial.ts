/**
 * Binomial-tree broadcast (MPICH `bcast_intra_binomial`): the root sends to ranks at distances
 * p'/2, p'/4, ..., 1 (relative to it), and every rank passes what it received on to its own subtree.
 *
 * Rounds: ceil(log2 p). Bytes moved: every non-root rank receives the encoded value once; the root
 * sends it ceil(log2 p) times. Any value, any p (the tree is cut where ranks run out). The root
 * encodes once; every other rank forwards the bytes it received unchanged, before decoding them.
 * ```
 * p = 6, root 0:   round 0: 0->4   round 1: 0->2, 4->5   round 2: 0->1, 2->3
 * ```
 */
import { decodeMessage } from "../../core/payload.ts";
import { asPayload, collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";
import type { EncodedPayload } from "../../wire/codec.ts";
import { intoBuffer } from "./buffer.ts";
import { binomialTree } from "../base/binomial-tree.ts";

export const bcastBinomial = {
  name: "binomial",
  canRun: (): true => true,
  /** The root's `data` on every rank (into `data` where a non-root passed a typed array); step `firstStep`. */
  async run<T>(call: CollectiveCall, data: T, root: number, firstStep = 0): Promise<T> {
    const { rank, size } = call.core;
    const tree = binomialTree(rank, size, root);

    let payload: EncodedPayload;
    let message;
    if (tree.parent === undefined) {
      payload = collEncode(call, data);
    } else {
      message = await collRecv(call, tree.parent.rank, firstStep);
      payload = asPayload(message);
    }
    const sends = tree.children.map((child) => collSend(call, child.rank, firstStep, payload));
    const value = message === undefined ? data : intoBuffer(call, data, decodeMessage<T>(call.core, call.name, message), root);
    await Promise.all(sends);
    return value;
  },
};
