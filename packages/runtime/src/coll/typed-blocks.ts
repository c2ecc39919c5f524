/**
 * Typed-array blocks for the bandwidth algorithms (ring and Rabenseifner allreduce, van de Geijn
 * bcast): how a vector is cut into blocks, how a block goes on the wire, and how a received block is
 * checked and reduced in place.
 *
 * Blocks follow MPI's block distribution: `n` elements into `parts` blocks, the first `n % parts`
 * one element longer. Each block's length never decreases as `n` grows, so when two ranks with
 * different `n` compare the total length of any run of blocks, a difference in any one block shows;
 * every block of a result has been compared along a chain through every rank before any rank can
 * return it, so ranks that passed different lengths fail with ERR_COLL_MISMATCH, never a wrong answer.
 * Internal to the runtime, not part of its API.
 */
import { collectiveMismatch, opResultMisshapen, type CallSite } from "../errors.ts";
import type { Op } from "../ops/op.ts";
import { kernelFor } from "../ops/typed-kernels.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { decodeMessage } from "../core/payload.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { PayloadFormat } from "../wire/header.ts";
import { isTypedArray, typedArrayKind, type AnyTypedArray } from "../wire/typed-array.ts";
import type { CollectiveCall } from "./messages.ts";

/** Where each of `parts` blocks of an `n`-element vector starts; `starts[parts] === n`. */
export function blockStarts(n: number, parts: number): Int32Array | Float64Array {
  const starts = n < 0x7fff_ffff ? new Int32Array(parts + 1) : new Float64Array(parts + 1);
  const base = Math.floor(n / parts);
  const extra = n % parts;
  for (let i = 0; i < parts; i++) starts[i + 1] = starts[i]! + base + (i < extra ? 1 : 0);
  return starts;
}

/**
 * Elements `[start, end)` of `array` as a payload, without a copy: the transport copies what it
 * sends before `collSend` returns, so the array may be changed right after the send is posted.
 */
export function blockPayload(array: AnyTypedArray, start: number, end: number): EncodedPayload {
  const width = array.BYTES_PER_ELEMENT;
  return {
    format: PayloadFormat.TYPED_ARRAY,
    elementKind: typedArrayKind(array),
    bytes: Buffer.from(array.buffer, array.byteOffset + start * width, (end - start) * width),
  };
}

/**
 * A received block, checked to be of `like`'s kind and `length` elements; otherwise the ranks
 * passed different data (ERR_COLL_MISMATCH naming both ranks).
 */
export function receivedBlock(call: CollectiveCall, message: IncomingMessage, like: AnyTypedArray, length: number, what: string): AnyTypedArray {
  const block = decodeMessage<unknown>(call.core, call.name, message);
  if (isTypedArray(block) && block.constructor === like.constructor && block.length === length) return block;
  const got = isTypedArray(block) ? `${block.constructor.name}(${block.length})` : typeof block;
  throw collectiveMismatch(
    { rank: call.core.rank, call: call.name },
    `${what} from rank ${message.source} is ${got} but this rank expected ${like.constructor.name}(${length}): ` +
      `every rank must pass a typed array of the same kind and length`,
    "data",
  );
}

/**
 * `into = into op mine`, element-wise and in place, where `into` is a received block (owned) and
 * `mine` the same elements of this rank's data. Only for ops that may be applied in any order.
 */
export function reduceBlockInPlace(op: Op, into: AnyTypedArray, mine: AnyTypedArray, site: CallSite): void {
  if (op.fn !== undefined) {
    const result = op.fn(into, mine) as unknown;
    if (result !== into) {
      if (!isTypedArray(result) || result.length !== into.length) throw opResultMisshapen(site, String(op), result, into.length);
      (into as Float64Array).set(result as Float64Array);
    }
    return;
  }
  const kernel = kernelFor(op.builtin!, into)!;
  kernel(into, into, mine, into.length);
}

/** A new, zeroed typed array of `like`'s kind. */
export function allocateLike(like: AnyTypedArray, length: number): AnyTypedArray {
  if (Buffer.isBuffer(like)) return Buffer.alloc(length);
  return new (like.constructor as new (length: number) => AnyTypedArray)(length);
}
