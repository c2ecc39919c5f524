/**
 * Scatter-allgather broadcast (van de Geijn; Barnett et al. 1994; MPICH
 * `bcast_intra_scatter_ring_allgather`): the root's typed array is cut into p blocks, scattered down
 * a binomial tree (each rank gets its own block), then gathered everywhere by a ring.
 *
 * Rounds: ceil(log2 p) + p - 1. Bytes moved per rank: about 2n (p - 1) / p, against n log2 p on the
 * binomial tree's inner ranks, so it wins for large arrays. Typed arrays only, and only when every
 * rank knows the size: every non-root rank must pass a buffer of the root's kind and length, which
 * receives the result. Any p: the scatter tree is cut where ranks run out, blocks differ by at most
 * one element.
 * ```
 * p = 4, root 0, blocks b0..b3   scatter: 0->2 (b2 b3), then 0->1 (b1), 2->3 (b3)
 *                                ring:    step 1: 0->1 b0 1->2 b1 2->3 b2 3->0 b3, two more steps
 * ```
 * Every block a rank receives is checked against its own buffer's partition, so a buffer of the
 * wrong length ends in ERR_COLL_MISMATCH before the rank returns.
 */
import { isTypedArray, type AnyTypedArray } from "../../wire/typed-array.ts";
import { asPayload, collRecv, collSend, type CollectiveCall } from "../messages.ts";
import type { SelectionInput } from "../select.ts";
import { blockPayload, blockStarts, receivedBlock } from "../typed-blocks.ts";
import type { EncodedPayload } from "../../wire/codec.ts";

export const bcastScatterAllgather = {
  name: "scatter-allgather",
  canRun(input: SelectionInput): true | string {
    if (input.typedArray !== true) {
      return "scatter-allgather needs every rank to know the size: the root's data and every other rank's buffer must be typed arrays of the same kind and length";
    }
    return true;
  },
  async run<T>(call: CollectiveCall, data: T, root: number): Promise<T> {
    const { rank, size } = call.core;
    if (!isTypedArray(data)) throw new Error("bcast scatter-allgather without a typed array");
    const array: AnyTypedArray = data;
    const n = array.length;
    const relative = (rank - root + size) % size;
    const real = (v: number): number => (v + root) % size;
    const starts = blockStarts(n, size);
    const end = (v: number): number => starts[Math.min(v, size)]!;

    // Scatter: this rank receives blocks [relative, relative + span) and passes their upper parts on.
    let span = 1;
    while (span < size && (relative & span) === 0) span <<= 1;
    let subtree: AnyTypedArray; // blocks [relative, relative + span) as one array
    let send: (from: number, to: number) => EncodedPayload;
    if (relative === 0) {
      subtree = array;
      send = (from, to) => blockPayload(array, starts[from]!, end(to));
    } else {
      const message = await collRecv(call, real(relative - span), 0);
      subtree = receivedBlock(call, message, array, end(relative + span) - starts[relative]!, `blocks ${relative}.. of the scatter`);
      const base = starts[relative]!;
      const owned = subtree;
      send = (from, to) => blockPayload(owned, starts[from]! - base, end(to) - base);
      array.set(subtree.subarray(0, starts[relative + 1]! - base) as never, base);
    }
    const sends: Promise<void>[] = [];
    for (let mask = span >> 1; mask >= 1; mask >>= 1) {
      const child = relative + mask;
      if (child < size) sends.push(collSend(call, real(child), 0, send(child, child + mask)));
    }
    await Promise.all(sends);

    // Ring allgather over relative ranks, forwarding every block as it came.
    const right = real((relative + 1) % size);
    const left = real((relative - 1 + size) % size);
    let outgoing = send(relative, relative + 1);
    for (let step = 0; step < size - 1; step++) {
      const index = (relative - step - 1 + size) % size;
      const sent = collSend(call, right, 1 + step, outgoing);
      const message = await collRecv(call, left, 1 + step);
      const block = receivedBlock(call, message, array, starts[index + 1]! - starts[index]!, `block ${index}`);
      if (relative !== 0) array.set(block as never, starts[index]!);
      await sent;
      outgoing = asPayload(message);
    }
    return data;
  },
};
