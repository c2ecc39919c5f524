/**
 * Block messages of the vector collectives: a typed array's elements `[start, end)` behind an
 * eight-byte header `[u32 counts digest][u8 kind][u8 0][u16 0]`, so that the receiver checks the
 * block's kind, its length against the counts it holds, and that the sender held the same counts
 * (coll/counts.ts), and reports a difference as ERR_COLL_MISMATCH naming both ranks.
 * Internal to the runtime, not part of its API.
 */
import { collectiveMismatch } from "../errors.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import type { EncodedPayload } from "../wire/codec.ts";
import { PayloadFormat } from "../wire/header.ts";
import { typedArrayFromBytes, typedArrayKind, type AnyTypedArray } from "../wire/typed-array.ts";
import type { CollectiveCall } from "./messages.ts";
import { elements } from "./counts.ts";
import { allocateLike } from "./typed-blocks.ts";

const HEADER = 8;
/** The header's digest when the sender holds no counts (a gatherv leaf, an alltoallv block). */
export const NO_DIGEST = 0;

/** Elements `[start, end)` of `array` with `digest`, copied once into the message. */
export function vectorBlock(array: AnyTypedArray, start: number, end: number, digest: number): EncodedPayload {
  const width = array.BYTES_PER_ELEMENT;
  const bytes = Buffer.allocUnsafeSlow(HEADER + (end - start) * width);
  bytes.writeUInt32LE(digest, 0);
  bytes.writeUInt8(typedArrayKind(array), 4);
  bytes.fill(0, 5, HEADER);
  bytes.set(new Uint8Array(array.buffer, array.byteOffset + start * width, (end - start) * width), HEADER);
  return { format: PayloadFormat.TYPED_ARRAY, elementKind: 1, bytes };
}

/** What a received block must be. */
export interface ExpectedBlock {
  /** Whose block it is (the sender, or the rank it started from when forwarded). */
  owner: number;
  /** A typed array of the kind it must be, when this rank has one. */
  like?: AnyTypedArray | undefined;
  /** How many elements it must have, when this rank knows, and which of its counts says so (`recvCounts[2]`). */
  length?: number | undefined;
  lengthFrom?: { argument: string; index: number };
  /** This rank's counts digest, or NO_DIGEST. */
  digest: number;
}

/** The block in `message`, checked against `expected`: a view on the message's bytes, owned by the caller. */
export function receivedVectorBlock(call: CollectiveCall, message: IncomingMessage, expected: ExpectedBlock): AnyTypedArray {
  const site = { rank: call.core.rank, call: call.name };
  const whose = expected.owner === message.source ? `the block from rank ${message.source}` : `rank ${expected.owner}'s block (from rank ${message.source})`;
  const bytes = message.payload;
  const kind = message.format === PayloadFormat.TYPED_ARRAY && bytes.byteLength >= HEADER ? bytes.readUInt8(4) : -1;
  const block = kind < 0 ? undefined : typedArrayFromBytes(kind, bytes.subarray(HEADER));
  if (block === undefined) throw collectiveMismatch(site, `${whose} is not a block of ${call.name}: every rank must make the same calls`, "data");
  const { like, length, digest } = expected;
  if (like !== undefined && kind !== typedArrayKind(like)) {
    throw collectiveMismatch(
      site,
      `${whose} is ${block.constructor.name} but this rank's data is ${like.constructor.name}: every rank must pass the same kind of typed array`,
      "data",
    );
  }
  const theirs = bytes.readUInt32LE(0);
  if (digest !== NO_DIGEST && theirs !== NO_DIGEST && theirs !== digest) {
    throw collectiveMismatch(site, `rank ${expected.owner} passed other counts than this rank: every rank must pass the same counts`, "counts");
  }
  if (length !== undefined && block.length !== length) {
    const from = expected.lengthFrom ?? { argument: "counts", index: expected.owner };
    throw collectiveMismatch(
      site,
      `${whose} has ${elements(block.length)} but ${from.argument}[${from.index}] here is ${length}: every rank's block must have as many elements as the counts say`,
      from.argument,
    );
  }
  return block;
}

/** `into[offset ...] = block`, for typed arrays of one kind. */
export function place(into: AnyTypedArray, block: AnyTypedArray, offset: number): void {
  (into as unknown as { set(values: AnyTypedArray, offset: number): void }).set(block, offset);
}

/** A copy of elements `[start, end)` of `array`, of its kind (a Buffer's `slice` would be a view). */
export function copyRange(array: AnyTypedArray, start: number, end: number): AnyTypedArray {
  const out = allocateLike(array, end - start);
  place(out, array.subarray(start, end), 0);
  return out;
}
