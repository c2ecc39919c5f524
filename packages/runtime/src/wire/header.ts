/**
 * The fixed 24-byte header that travels as the first frame of every message; the payload is the
 * second frame, so a large typed array is never copied to be glued to its header
 * (cf. Open MPI pml/ob1 `mca_pml_ob1_match_hdr_t`).
 *
 * ```
 * offset  size  field
 *  0      u8    version        WIRE_VERSION; anything else is refused
 *  1      u8    format         PayloadFormat
 *  2      u8    elementKind    TypedArrayKind when format is TYPED_ARRAY
 *  3      u8    collective     0 for point-to-point; the collective's id for collective traffic
 *  4      i32   context        communicator context id (p2p and collective contexts differ)
 *  8      i32   source         sender's rank in the communicator
 * 12      i32   tag
 * 16      u32   sequence       collective sequence number (mismatch detection), 0 for p2p
 * 20      u32   signature      collective call details (root, op, algorithm), 0 for p2p
 * ```
 * Little-endian throughout: every host we target is.
 */
export const WIRE_VERSION = 1;
export const HEADER_BYTES = 24;

export const PayloadFormat = {
  MSGPACK: 0,
  TYPED_ARRAY: 1,
} as const;
export type PayloadFormat = (typeof PayloadFormat)[keyof typeof PayloadFormat];

export interface Envelope {
  context: number;
  source: number;
  tag: number;
  /** 0 for point-to-point messages. */
  collective: number;
  sequence: number;
  /** Collective call details every rank must agree on (see coll/messages.ts); 0 for p2p. */
  signature: number;
}

export interface Header extends Envelope {
  format: PayloadFormat;
  elementKind: number;
}

export function encodeHeader(header: Header): Buffer {
  // allocUnsafeSlow: a pooled slice would pin 8 KiB of unrelated data inside zeromq's queue.
  const bytes = Buffer.allocUnsafeSlow(HEADER_BYTES);
  bytes[0] = WIRE_VERSION;
  bytes[1] = header.format;
  bytes[2] = header.elementKind;
  bytes[3] = header.collective;
  bytes.writeInt32LE(header.context, 4);
  bytes.writeInt32LE(header.source, 8);
  bytes.writeInt32LE(header.tag, 12);
  bytes.writeUInt32LE(header.sequence >>> 0, 16);
  bytes.writeUInt32LE(header.signature >>> 0, 20);
  return bytes;
}

/** Returns `undefined` for a frame that is not a tsmpi header of this version. */
export function decodeHeader(bytes: Buffer): Header | undefined {
  if (bytes.length !== HEADER_BYTES || bytes[0] !== WIRE_VERSION) return undefined;
  return {
    format: bytes[1] as PayloadFormat,
    elementKind: bytes[2]!,
    collective: bytes[3]!,
    context: bytes.readInt32LE(4),
    source: bytes.readInt32LE(8),
    tag: bytes.readInt32LE(12),
    sequence: bytes.readUInt32LE(16),
    signature: bytes.readUInt32LE(20),
  };
}
