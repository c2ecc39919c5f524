/**
 * Shared-memory allreduce (Open MPI coll/sm, MPICH's intra-node release/gather collectives) over
 * typed arrays with a built-in op, among ranks of one host (coll/shared-region.ts).
 *
 * Every rank copies its vector into its slot of the communicator's region and arrives at a meeting.
 * - Small vectors (at most SERIAL_BYTES): the last rank to arrive reduces every slot into the
 *   result while the others wait, then releases them. One meeting.
 * - Larger ones: after the meeting each rank reduces its block of elements (MPI's block split) over
 *   every slot, and a second meeting ends the reduction. Vectors over SLOT_BYTES go in pieces.
 * Then every rank copies the result out. Slots are combined in rank order, so any op sees rank
 * order and every rank reads bitwise the same result. Bytes per rank: n in, n out, and n / p
 * reduced from p slots; no bytes travel through sockets.
 */
import type { Op } from "../../ops/op.ts";
import { foldKernelFor, kernelFor, type FoldKernel, type Kernel } from "../../ops/typed-kernels.ts";
import type { AnyTypedArray } from "../../wire/typed-array.ts";
import type { CollectiveCall } from "../messages.ts";
import type { SelectionInput } from "../select.ts";
import { needsSharedMemory, SLOT_BYTES, withSharedRegion, type SharedRegion } from "../shared-region.ts";
import { allocateLike, blockStarts } from "../typed-blocks.ts";

/** Up to this many bytes one rank reduces everything: cheaper than a second meeting. */
const SERIAL_BYTES = 64 * 1024;

interface AllreduceAlgorithm {
  run<T>(call: CollectiveCall, data: T, op: Op): Promise<T>;
}

export const allreduceSharedMemory = {
  name: "shared-memory",
  canRun(input: SelectionInput): true | string {
    const shared = needsSharedMemory(input);
    if (shared !== true) return shared;
    if (input.typedArray !== true || input.builtinOp !== true) return "shared-memory needs a typed array and a built-in op";
    if (input.bytes === 0) return "shared-memory has nothing to reduce in an empty array";
    return true;
  },
  run<T>(call: CollectiveCall, data: T, op: Op): Promise<T> {
    return withSharedRegion(
      call,
      (region) => reduceInRegion(call, region, data as AnyTypedArray, op) as Promise<T>,
      () => (call.withoutSharedMemory() as AllreduceAlgorithm).run(call, data, op),
    );
  },
};

async function reduceInRegion(call: CollectiveCall, region: SharedRegion, mine: AnyTypedArray, op: Op): Promise<AnyTypedArray> {
  const { rank, size } = call.core;
  const n = mine.length;
  const bytes = mine.byteLength;
  const result = allocateLike(mine, n);
  const piece = Math.floor(SLOT_BYTES / mine.BYTES_PER_ELEMENT);
  let meeting = 0;
  for (let first = 0; first < n; first += piece) {
    const count = Math.min(piece, n - first);
    const slots = Array.from({ length: size }, (_, r) => region.slot(r, mine, count));
    const out = region.slot(size, mine, count);
    const kernels = { pair: kernelFor(op.builtin!, out)!, fold: foldKernelFor(op.builtin!, out)! };
    slots[rank]!.set(mine.subarray(first, first + count) as never);
    region.announce(call, bytes);
    if (count * mine.BYTES_PER_ELEMENT <= SERIAL_BYTES) {
      await region.meet(call, meeting++, () => reduceRange(kernels, out, slots, 0, count));
    } else {
      await region.meet(call, meeting++);
      const starts = blockStarts(count, size);
      reduceRange(kernels, out, slots, starts[rank]!, starts[rank + 1]!);
      await region.meet(call, meeting++);
    }
    result.set(out as never, first);
  }
  return result;
}

/** `out[start, end)` = slot 0 op slot 1 op ... op slot p-1 over those elements, left to right. */
function reduceRange(kernels: { pair: Kernel; fold: FoldKernel }, out: AnyTypedArray, slots: readonly AnyTypedArray[], start: number, end: number): void {
  const length = end - start;
  if (length === 0) return;
  const target = out.subarray(start, end);
  const block = (r: number): AnyTypedArray => slots[r]!.subarray(start, end);
  let r: number;
  if (slots.length >= 4) {
    kernels.fold(target, block(0), block(1), block(2), block(3), length);
    r = 4;
  } else {
    kernels.pair(target, block(0), block(1), length);
    r = 2;
  }
  for (; r + 3 <= slots.length; r += 3) kernels.fold(target, target, block(r), block(r + 1), block(r + 2), length);
  for (; r < slots.length; r++) kernels.pair(target, target, block(r), length);
}
