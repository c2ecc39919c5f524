/**
 * The fixed 32-byte header that starts every message (cf. Open MPI pml/ob1
 * `mca_pml_ob1_match_hdr_t`).
 *
 * ```
 * offset  size  field
 *  0      u8    version        WIRE_VERSION; anything else is refused
 *  1      u8    format         PayloadFormat; bit 7 (IN_SHARED_RING) marks a notice whose payload
 *                              waits in the sender's shared ring (transport/shared-ring.ts): the
 *                              8 bytes after the header hold its ring position and length
 *  2      u8    elementKind    typed-array kind when format is TYPED_ARRAY (wire/typed-array.ts)
 *  3      u8    collective     0 for point-to-point; the collective's id for collective traffic
 *  4      i32   context        communicator context id (p2p and collective contexts differ)
 *  8      i32   source         sender's rank in the communicator
 * 12      i32   tag
 * 16      u32   sequence       collective sequence number (mismatch detection), 0 for p2p
 * 20      u32   signature      collective call details (root, op, algorithm), 0 for p2p
 * 24      u32   releaseToken   nonzero: the receiving transport sends it back once it holds the
 *                              whole message, so the sender may reuse its send buffer
 * 28      u32   origin         sender's world rank (where a release goes)
 * ```
 * Little-endian throughout: every host we target is.
 *
 * A payload of at most SMALL_MESSAGE_BYTES travels in the same frame, right after the header: one
 * zeromq frame costs less per message than two (bench/pingpong), and copying a few KiB is cheaper
 * than the second frame. A larger payload is a second frame, never glued to the header (a 4 MiB
 * concatenation costs ~1 ms). Offset 32 keeps any typed array aligned.
 */
export const WIRE_VERSION = 1;
export const HEADER_BYTES = 32;
/** Where the origin field (sender's world rank) sits in a header. */
const ORIGIN_OFFSET = 28;
export const SMALL_MESSAGE_BYTES = 4096;

export const PayloadFormat = {
  MSGPACK: 0,
  TYPED_ARRAY: 1,
  /** Transport-level: a release of a send buffer (tag = token); never reaches the matcher. */
  RELEASE: 2,
  /** Transport-level, at finalize: "answer once you hold everything I sent before this". */
  FLUSH: 3,
  /** Transport-level: the answer to a FLUSH. */
  FLUSHED: 4,
} as const;
export type PayloadFormat = (typeof PayloadFormat)[keyof typeof PayloadFormat];

export interface Envelope {
  context: number;
  source: number;
  tag: number;
  /** 0 for point-to-point messages. */
  collective: number;
  sequence: number;
  /** Collective call details every rank must agree on (see coll/signature.ts); 0 for p2p. */
  signature: number;
}

export interface Header extends Envelope {
  format: PayloadFormat;
  elementKind: number;
}

export interface DecodedMessage extends Header {
  payload: Buffer;
}

/** What the payload is, as the header states it. */
export interface PayloadKind {
  format: PayloadFormat;
  elementKind: number;
}

/**
 * Writes the header into the first 32 bytes of `frame`, which must start its own ArrayBuffer
 * (frames come from allocUnsafeSlow): the integer fields go through one aligned Int32Array view
 * instead of six checked Buffer writes (the hot path of every message).
 */
export function writeHeader(frame: Buffer, envelope: Envelope, kind: PayloadKind, releaseToken = 0, origin = 0): void {
  frame[0] = WIRE_VERSION;
  frame[1] = kind.format;
  frame[2] = kind.elementKind;
  frame[3] = envelope.collective;
  const words = new Int32Array(frame.buffer, frame.byteOffset, HEADER_BYTES / 4);
  words[1] = envelope.context;
  words[2] = envelope.source;
  words[3] = envelope.tag;
  words[4] = envelope.sequence | 0;
  words[5] = envelope.signature | 0;
  words[6] = releaseToken | 0;
  words[7] = origin | 0;
}

/** One frame holding the header and a small payload (copied in). */
export function singleFrame(envelope: Envelope, kind: PayloadKind, payload: Buffer, origin = 0): Buffer {
  const frame = Buffer.allocUnsafeSlow(HEADER_BYTES + payload.length);
  writeHeader(frame, envelope, kind, 0, origin);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/** A header frame alone, for a payload sent as a second frame. */
export function headerFrame(envelope: Envelope, kind: PayloadKind, releaseToken = 0, origin = 0): Buffer {
  const frame = Buffer.allocUnsafeSlow(HEADER_BYTES);
  writeHeader(frame, envelope, kind, releaseToken, origin);
  return frame;
}

/**
 * A doorbell (transport/same-host.ts): "look at your shared-memory queues", from world rank
 * `origin`. Four bytes, the origin alone: no message is that short, since every one has a header.
 */
export function doorbellFrame(origin: number): Buffer {
  const frame = Buffer.allocUnsafeSlow(4);
  frame.writeUInt32LE(origin, 0);
  return frame;
}

/** The world rank that sent a data message (its header's origin field). */
export function messageOrigin(frames: readonly Buffer[]): number {
  return frames[0]?.readUInt32LE(ORIGIN_OFFSET) ?? 0;
}

/** The origin of a doorbell, or `undefined` if `frames` is something else. */
export function doorbellOrigin(frames: readonly Buffer[]): number | undefined {
  return frames.length === 1 && frames[0]!.length === 4 ? frames[0]!.readUInt32LE(0) : undefined;
}

/** Format bit of a ring notice (see the header table). */
export const IN_SHARED_RING = 0x80;
const NOTICE_BYTES = 8;

/** A notice that `length` payload bytes wait at `position` of the ring from world rank `origin`. */
export function ringNoticeFrame(envelope: Envelope, kind: PayloadKind, position: number, length: number, origin: number): Buffer {
  const frame = Buffer.allocUnsafeSlow(HEADER_BYTES + NOTICE_BYTES);
  writeHeader(frame, envelope, kind, 0, origin);
  frame[1] = kind.format | IN_SHARED_RING;
  frame.writeUInt32LE(position >>> 0, HEADER_BYTES);
  frame.writeUInt32LE(length, HEADER_BYTES + 4);
  return frame;
}

/**
 * The ring notice in `frames`, or `undefined`. `header` is the notice's header with the ring bit
 * cleared: with the payload taken from the ring as a second frame, it decodes like any message.
 */
export function ringNotice(frames: readonly Buffer[]): { origin: number; position: number; length: number; header: Buffer } | undefined {
  const first = frames[0];
  if (frames.length !== 1 || first === undefined || first.length !== HEADER_BYTES + NOTICE_BYTES || (first[1]! & IN_SHARED_RING) === 0) return undefined;
  first[1] = first[1]! & ~IN_SHARED_RING;
  return {
    origin: first.readUInt32LE(ORIGIN_OFFSET),
    position: first.readUInt32LE(HEADER_BYTES),
    length: first.readUInt32LE(HEADER_BYTES + 4),
    header: first.subarray(0, HEADER_BYTES),
  };
}

/** The release a receiver owes for these frames: `{ origin, token }`, or undefined. */
export function releaseOwed(frames: readonly Buffer[]): { origin: number; token: number } | undefined {
  const first = frames[0];
  if (frames.length !== 2 || first === undefined || first.length !== HEADER_BYTES) return undefined;
  const token = first.readUInt32LE(24);
  return token === 0 ? undefined : { origin: first.readUInt32LE(ORIGIN_OFFSET), token };
}

/** A release message: the token travels in the tag field. */
export function releaseFrame(token: number): Buffer {
  const frame = Buffer.alloc(HEADER_BYTES);
  frame[0] = WIRE_VERSION;
  frame[1] = PayloadFormat.RELEASE;
  frame.writeUInt32LE(token >>> 0, 12);
  return frame;
}

/** A FLUSH or FLUSHED control message from `origin` (see PayloadFormat). */
export function flushFrame(kind: "flush" | "flushed", origin: number): Buffer {
  const frame = Buffer.alloc(HEADER_BYTES);
  frame[0] = WIRE_VERSION;
  frame[1] = kind === "flush" ? PayloadFormat.FLUSH : PayloadFormat.FLUSHED;
  frame.writeUInt32LE(origin >>> 0, 28);
  return frame;
}

/** What a FLUSH or FLUSHED message says, or undefined if the frames are something else. */
export function flushControl(frames: readonly Buffer[]): { kind: "flush" | "flushed"; origin: number } | undefined {
  const first = frames[0];
  if (frames.length !== 1 || first === undefined || first.length !== HEADER_BYTES) return undefined;
  if (first[1] !== PayloadFormat.FLUSH && first[1] !== PayloadFormat.FLUSHED) return undefined;
  return { kind: first[1] === PayloadFormat.FLUSH ? "flush" : "flushed", origin: first.readUInt32LE(ORIGIN_OFFSET) };
}

/** The token of a release message, or undefined if the frames are something else. */
export function releasedToken(frames: readonly Buffer[]): number | undefined {
  const first = frames[0];
  if (frames.length !== 1 || first === undefined || first.length !== HEADER_BYTES || first[1] !== PayloadFormat.RELEASE) return undefined;
  return first.readUInt32LE(12);
}

/** A received message's envelope and payload, or `undefined` if the frames are not ours. */
export function decodeFrames(frames: readonly Buffer[]): DecodedMessage | undefined {
  const first = frames[0];
  if (first === undefined || first.length < HEADER_BYTES || first[0] !== WIRE_VERSION) return undefined;
  if (frames.length === 1) return readHeader(first, first.subarray(HEADER_BYTES));
  if (frames.length === 2 && first.length === HEADER_BYTES) return readHeader(first, frames[1]!);
  return undefined;
}

function readHeader(bytes: Buffer, payload: Buffer): DecodedMessage {
  return {
    format: bytes[1] as PayloadFormat,
    elementKind: bytes[2]!,
    collective: bytes[3]!,
    context: bytes.readInt32LE(4),
    source: bytes.readInt32LE(8),
    tag: bytes.readInt32LE(12),
    sequence: bytes.readUInt32LE(16),
    signature: bytes.readUInt32LE(20),
    payload,
  };
}
