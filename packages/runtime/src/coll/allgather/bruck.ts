/**
 * Bruck allgather (Bruck et al. 1997; MPICH `allgather_intra_brucks`): ceil(log2 p) rounds for any
 * p, the latency-optimal choice for small blocks. Each rank holds blocks in the order of ranks
 * rank, rank + 1, ... (mod p); in round k it sends the first min(2^k, p - 2^k) of them to
 * rank - 2^k and appends as many from rank + 2^k. Blocks are encoded once and travel as packed
 * bundle entries (bundle.ts), never re-encoded. Bytes sent per rank: (p - 1) blocks, like the ring, but in
 * log2(p) messages; the growing concatenations make it copy more than the ring for large blocks.
 * Non-powers of two: the last round sends only the p - 2^k blocks still missing.
 * ```
 * p = 5, rank 0 holds: [0] -> round 0 (from 1): [0 1] -> round 1 (from 2): [0 1 2 3]
 *                       -> round 2 (from 4, 1 block): [0 1 2 3 4]
 * ```
 */
import { receivedBundle, bundlePayload, decodeBundleEntry, packBundle, unpackBundle } from "../bundle.ts";
import { collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";

export const allgatherBruck = {
  name: "bruck",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, data: T): Promise<T[]> {
    const { rank, size } = call.core;
    let held = packBundle([collEncode(call, data)]);
    let offsets = [0, held.byteLength];
    for (let distance = 1, round = 0; distance < size; distance <<= 1, round++) {
      const count = Math.min(distance, size - distance);
      const sent = collSend(call, (rank - distance + size) % size, round, bundlePayload(held.subarray(0, offsets[count])));
      const incoming = receivedBundle(await collRecv(call, (rank + distance) % size, round));
      await sent;
      const base = held.byteLength;
      offsets = [...offsets.slice(0, -1), ...unpackBundle(incoming).offsets.map((o) => o + base)];
      held = Buffer.concat([held, incoming]);
    }
    const { payloads } = unpackBundle(held);
    const blocks = new Array<T>(size);
    for (let j = 0; j < size; j++) blocks[(rank + j) % size] = decodeBundleEntry<T>(call, payloads[j]!, (rank + j) % size);
    return blocks;
  },
};
