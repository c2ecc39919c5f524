/**
 * What the reduce-scatter algorithms share: how n elements split into p blocks, and block messages
 * that carry the sender's total length and the digest of its counts (coll/counts.ts: the equal
 * blocks' when it passed none). A block message says how long the sender's whole vector is, so a
 * rank whose partners passed a different length fails with ERR_COLL_MISMATCH even when the block
 * it got happens to fit (4 vs 5 elements on 2 ranks differ only in block 0), and with which counts
 * it cut it, so ranks that cut the same vector differently fail alike; and since a rank's block
 * depends on every rank's data through checked hops, no rank can finish with a mismatch anywhere.
 * Internal to the runtime, not part of its API.
 */
import { collectiveMismatch, opResultMisshapen, TsmpiError } from "../../errors.ts";
import { combine, type CombineSite } from "../../ops/combine.ts";
import type { Op } from "../../ops/op.ts";
import { PayloadFormat } from "../../wire/header.ts";
import { isTypedArray, typedArrayFromBytes, typedArrayKind, type AnyTypedArray } from "../../wire/typed-array.ts";
import { collRecv, collSend, collSendValue, collRecvValue, type CollectiveCall } from "../messages.ts";
import { decodeMessage } from "../../core/payload.ts";

/** A reduce-scatter vector: a typed array, or a JS array of numbers (or of what the op takes). */
export type Vector = AnyTypedArray | unknown[];

/**
 * Block i has floor(n / p) elements, one more for the first n % p ranks (MPI_Reduce_scatter_block
 * wants equal blocks; this is the nearest for any n): the same blocks as the bandwidth algorithms'.
 */
export { blockStarts } from "../typed-blocks.ts";

/** A private copy to reduce into: typed arrays and JS arrays alike. */
export function ownVector(data: Vector): Vector {
  // Buffer#slice is a view, not a copy.
  if (Buffer.isBuffer(data)) return Buffer.from(data);
  return data.slice();
}

export function slice(vector: Vector, lo: number, hi: number): Vector {
  return vector.slice(lo, hi);
}

/** `[u32 total length][u8 kind][3 zero][u32 counts digest][u32 0]`: a multiple of 8, so blocks decode as views. */
const HEADER = 16;

/** Sends `acc[lo, hi)` with the total length and `digest`; the bytes are copied before it returns. */
export function sendRange(call: CollectiveCall, dest: number, step: number, acc: Vector, lo: number, hi: number, digest: number): Promise<void> {
  if (!isTypedArray(acc)) return collSendValue(call, dest, step, [acc.length, acc.slice(lo, hi), digest]);
  const width = acc.BYTES_PER_ELEMENT;
  const bytes = Buffer.allocUnsafeSlow(HEADER + (hi - lo) * width);
  bytes.writeUInt32LE(acc.length, 0);
  bytes.writeUInt8(typedArrayKind(acc), 4);
  bytes.fill(0, 5, HEADER);
  bytes.writeUInt32LE(digest, 8);
  bytes.set(new Uint8Array(acc.buffer, acc.byteOffset + lo * width, (hi - lo) * width), HEADER);
  return collSend(call, dest, step, { format: PayloadFormat.TYPED_ARRAY, elementKind: 1, bytes });
}

function mismatch(site: CombineSite, op: Op, mine: string, theirs: string, from: number): TsmpiError {
  return collectiveMismatch(
    { rank: site.rank, call: site.call },
    `${op} cannot combine ${mine} here with ${theirs} from rank ${from}: every rank must pass data of the same kind and length`,
    "data",
  );
}

function describe(vector: Vector): string {
  return isTypedArray(vector) ? `${vector.constructor.name}(${vector.length})` : `array(${vector.length})`;
}

function countsMismatch(site: CombineSite, from: number): TsmpiError {
  return collectiveMismatch(site, `rank ${from} passed other counts than this rank: every rank must pass the same counts`, "counts");
}

/** Receives a block sent by `sendRange`, checking it against this rank's vector `acc` and counts `digest`. */
export async function recvRange(call: CollectiveCall, source: number, step: number, acc: Vector, op: Op, digest: number): Promise<Vector> {
  const site = { rank: call.core.rank, call: call.name };
  if (!isTypedArray(acc)) {
    const got = await collRecvValue<unknown>(call, source, step);
    if (!Array.isArray(got) || got.length !== 3 || !Array.isArray(got[1])) throw mismatch(site, op, describe(acc), "a typed array", source);
    if (got[0] !== acc.length) throw mismatch(site, op, describe(acc), `array(${got[0]})`, source);
    if (got[2] !== digest) throw countsMismatch(site, source);
    return got[1] as unknown[];
  }
  const message = await collRecv(call, source, step);
  const bytes = message.payload;
  if (message.format !== PayloadFormat.TYPED_ARRAY || bytes.byteLength < HEADER) {
    const got = decodeMessage<unknown>(call.core, call.name, message);
    throw mismatch(site, op, describe(acc), Array.isArray(got) ? `array(${got[0]})` : "another kind of data", source);
  }
  const length = bytes.readUInt32LE(0);
  const kind = bytes.readUInt8(4);
  const block = typedArrayFromBytes(kind, bytes.subarray(HEADER));
  if (kind !== typedArrayKind(acc) || length !== acc.length || block === undefined) {
    throw mismatch(site, op, describe(acc), `${block?.constructor.name ?? `kind ${kind}`}(${length})`, source);
  }
  if (bytes.readUInt32LE(8) !== digest) throw countsMismatch(site, source);
  return block;
}

/** `acc[lo, hi) = acc[lo, hi) op other` (or `other op acc[...]`), typed arrays in place. */
export function combineRange(op: Op, acc: Vector, lo: number, hi: number, other: unknown, accIsLower: boolean, site: CombineSite, from: number): void {
  const view = isTypedArray(acc) ? acc.subarray(lo, hi) : acc.slice(lo, hi);
  const result = combine(op, view, other, accIsLower, site, from);
  if (result === view && isTypedArray(acc)) return; // reduced in place
  const values = result as ArrayLike<unknown>;
  if (values === null || typeof values !== "object" || values.length !== hi - lo) {
    throw opResultMisshapen(site, String(op), values, hi - lo);
  }
  if (isTypedArray(acc)) (acc as unknown as { set(v: ArrayLike<unknown>, o: number): void }).set(values, lo);
  else for (let i = 0; i < hi - lo; i++) acc[lo + i] = values[i];
}
