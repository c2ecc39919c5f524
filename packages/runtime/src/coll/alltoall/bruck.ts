/**
 * Bruck alltoall (Bruck et al. 1997; MPICH `alltoall_intra_brucks`): ceil(log2 p) rounds for any p,
 * for small items where latency dominates. Rank r first rotates its items so that slot j holds the
 * item for rank r + j; in round k it sends every slot whose index has bit k set to r + 2^k and puts
 * what arrives from r - 2^k in the same slots; finally slot j holds the item from rank r - j.
 * Items are encoded once and travel as packed bundle entries (bundle.ts), forwarded without re-encoding.
 * Bytes sent per rank: about (p / 2) log2(p) items (each item is forwarded up to log2(p) times),
 * against p - 1 for `pairwise`, so large items favour `pairwise`.
 * ```
 * p = 4, rank 0 slots [->0 ->1 ->2 ->3]:  round 0: slots 1,3 to rank 1   round 1: slots 2,3 to rank 2
 * ```
 */
import { copyForSelf } from "../../core/payload.ts";
import type { EncodedPayload } from "../../wire/codec.ts";
import { receivedBundle, bundlePayload, decodeBundleEntry, packBundle, unpackBundle } from "../bundle.ts";
import { collEncode, collRecv, collSend, type CollectiveCall } from "../messages.ts";

export const alltoallBruck = {
  name: "bruck",
  canRun: (): true => true,
  async run<T>(call: CollectiveCall, items: readonly T[]): Promise<T[]> {
    const { rank, size } = call.core;
    const slots = new Array<EncodedPayload | undefined>(size);
    for (let j = 1; j < size; j++) slots[j] = collEncode(call, items[(rank + j) % size]);
    for (let distance = 1, round = 0; distance < size; distance <<= 1, round++) {
      const moving: number[] = [];
      for (let j = 1; j < size; j++) if (j & distance) moving.push(j);
      const sent = collSend(call, (rank + distance) % size, round, bundlePayload(packBundle(moving.map((j) => slots[j]!))));
      const { payloads } = unpackBundle(receivedBundle(await collRecv(call, (rank - distance + size) % size, round)));
      await sent;
      moving.forEach((j, i) => (slots[j] = payloads[i]));
    }
    const result = new Array<T>(size);
    result[rank] = copyForSelf(call.core, call.name, items[rank]!);
    for (let j = 1; j < size; j++) result[(rank - j + size) % size] = decodeBundleEntry<T>(call, slots[j]!, (rank - j + size) % size);
    return result;
  },
};
