/**
 * Several already-encoded blocks in one message, for tree and Bruck algorithms that move many
 * ranks' blocks at once (gather, scatter, allgather, alltoall). Each block is encoded once, where
 * it starts; forwarding concatenates or slices packed entries and never decodes or re-encodes
 * (MPICH moves contiguous byte ranges the same way; msgpack of an array of blobs would re-pack).
 *
 * An entry (not a transport frame: the whole bundle is one payload): `[u8 format][u8 elementKind][u16 0][u32 length]` + `length` bytes + zero padding to a
 * multiple of 8, so a typed array inside an 8-aligned bundle decodes as a view, without a copy.
 * Internal to the runtime, not part of its API.
 */
import type { IncomingMessage } from "../matching/matcher.ts";
import { decodePayload, type EncodedPayload } from "../wire/codec.ts";
import { PayloadFormat } from "../wire/header.ts";
import { undecodable } from "../errors.ts";
import type { CollectiveCall } from "./messages.ts";

const HEADER = 8;
/** Uint8Array's wire kind: a bundle travels as plain bytes. */
const BYTES_KIND = 1;

const padded = (length: number): number => (length + 7) & ~7;

/** Packs encoded payloads into one buffer of entries (one copy of each payload's bytes). */
export function packBundle(payloads: readonly EncodedPayload[]): Buffer {
  let total = 0;
  for (const payload of payloads) total += HEADER + padded(payload.bytes.byteLength);
  const out = Buffer.alloc(total);
  let offset = 0;
  for (const payload of payloads) {
    out.writeUInt8(payload.format, offset);
    out.writeUInt8(payload.elementKind, offset + 1);
    out.writeUInt32LE(payload.bytes.byteLength, offset + 4);
    out.set(payload.bytes, offset + HEADER);
    offset += HEADER + padded(payload.bytes.byteLength);
  }
  return out;
}

/** The entries of a bundle as views on it (no copy), and where each entry starts (plus the end). */
export function unpackBundle(bundle: Buffer): { payloads: EncodedPayload[]; offsets: number[] } {
  const payloads: EncodedPayload[] = [];
  const offsets: number[] = [];
  let offset = 0;
  while (offset < bundle.byteLength) {
    const length = bundle.readUInt32LE(offset + 4);
    offsets.push(offset);
    payloads.push({
      format: bundle.readUInt8(offset) as PayloadFormat,
      elementKind: bundle.readUInt8(offset + 1),
      bytes: bundle.subarray(offset + HEADER, offset + HEADER + length),
    });
    offset += HEADER + padded(length);
  }
  offsets.push(offset);
  return { payloads, offsets };
}

/** A bundle as a message payload. */
export function bundlePayload(bundle: Buffer): EncodedPayload {
  return { format: PayloadFormat.TYPED_ARRAY, elementKind: BYTES_KIND, bytes: bundle };
}

/** A received bundle's bytes. */
export function receivedBundle(message: IncomingMessage): Buffer {
  return message.payload;
}

/** Decodes one entry; an entry this version cannot read is ERR_PROTOCOL naming the sender. */
export function decodeBundleEntry<T>(call: CollectiveCall, payload: EncodedPayload, from: number): T {
  try {
    return decodePayload(payload.format, payload.elementKind, payload.bytes) as T;
  } catch (error) {
    throw undecodable({ rank: call.core.rank, call: call.name }, `a block that came through rank ${from}`, error);
  }
}
