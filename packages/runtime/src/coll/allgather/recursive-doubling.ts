/**
 * Recursive-doubling allgather (Thakur, Rabenseifner & Gropp 2005; MPICH
 * `allgather_intra_recursive_doubling`): log2(p) rounds; in round k a rank swaps everything it holds
 * (the 2^k blocks of its aligned group) with rank ^ 2^k, so the held range doubles each round.
 * Bytes sent per rank: (p - 1) blocks, in log2(p) messages. Blocks are encoded once and travel as
 * packed bundle entries (bundle.ts). Powers of two only (canRun says so otherwise); `bruck` is the
 * log-round algorithm for any p.
 * ```
 * p = 4:  round 0: 0<->1 2<->3 (1 block each)   round 1: 0<->2 1<->3 (2 blocks each)
 * ```
 */
import { receivedBundle, bundlePayload, decodeBundleEntry, packBundle, unpackBundle } from "../bundle.ts";
import { collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";
import { isPowerOfTwo, type SelectionInput } from "../select.ts";

export const allgatherRecursiveDoubling = {
  name: "recursive-doubling",
  canRun: (input: SelectionInput): true | string =>
    isPowerOfTwo(input.size) ? true : `recursive-doubling needs a power-of-two number of ranks, and this communicator has ${input.size}`,
  async run<T>(call: CollectiveCall, data: T): Promise<T[]> {
    const { rank, size } = call.core;
    let held = packBundle([collEncode(call, data)]);
    for (let mask = 1, round = 0; mask < size; mask <<= 1, round++) {
      const partner = rank ^ mask;
      const sent = collSend(call, partner, round, bundlePayload(held));
      const theirs = receivedBundle(await collRecv(call, partner, round));
      await sent;
      held = partner > rank ? Buffer.concat([held, theirs]) : Buffer.concat([theirs, held]);
    }
    const { payloads } = unpackBundle(held);
    const blocks = new Array<T>(size);
    for (let j = 0; j < size; j++) blocks[j] = decodeBundleEntry<T>(call, payloads[j]!, j);
    return blocks;
  },
};
