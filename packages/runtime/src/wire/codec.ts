/**
 * Payload encoding: a top-level typed array travels as its raw bytes; everything else is msgpackr
 * with structured-clone types (Map, Set, Date, bigint, undefined, nested typed arrays, cycles).
 */
import { Packr } from "msgpackr";
import { PayloadFormat } from "./header.ts";
import { markNegativeZeros } from "./negative-zero.ts";
import { scanBeforePacking } from "./pre-pack-scan.ts";
import { UnserializableError } from "./unserializable.ts";
import { isTypedArray, typedArrayBytes, typedArrayFromBytes, typedArrayKind } from "./typed-array.ts";

/**
 * An encoded payload. `bytes` may be a view on the caller's typed array: the transport copies
 * whatever it sends, so encoding never does.
 */
export interface EncodedPayload {
  format: PayloadFormat;
  elementKind: number;
  bytes: Buffer;
}

export { UnserializableError };

const packr = new Packr({
  structuredClone: true,
  mapsAsObjects: false,
  moreTypes: true,
  // msgpackr would silently send a function as undefined; refuse instead.
  writeFunction: () => {
    throw new UnserializableError("a function cannot be sent");
  },
});

export function encodePayload(data: unknown): EncodedPayload {
  if (isTypedArray(data)) {
    return { format: PayloadFormat.TYPED_ARRAY, elementKind: typedArrayKind(data), bytes: typedArrayBytes(data) };
  }
  const packable = scanBeforePacking(data) ? markNegativeZeros(data) : data;
  let bytes: Buffer;
  try {
    bytes = packr.pack(packable);
  } catch (error) {
    if (error instanceof UnserializableError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnserializableError(/symbol/i.test(reason) ? "a symbol cannot be sent" : `msgpackr cannot encode it (${reason})`);
  }
  return { format: PayloadFormat.MSGPACK, elementKind: 0, bytes };
}

/** Throws a plain Error for a payload this version cannot read; the caller names the message. */
export function decodePayload(format: number, elementKind: number, bytes: Buffer): unknown {
  if (format === PayloadFormat.TYPED_ARRAY) {
    const array = typedArrayFromBytes(elementKind, bytes);
    if (array === undefined) throw new Error(`typed-array payload of kind ${elementKind} and ${bytes.byteLength} bytes`);
    return array;
  }
  if (format === PayloadFormat.MSGPACK) return packr.unpack(bytes);
  throw new Error(`unknown payload format ${format}`);
}

/** A deep copy made the way a message would make it: what a rank gets back for its own block. */
export function wireCopy<T>(value: T): T {
  const encoded = encodePayload(value);
  const bytes = encoded.format === PayloadFormat.TYPED_ARRAY ? Buffer.from(encoded.bytes) : encoded.bytes;
  return decodePayload(encoded.format, encoded.elementKind, bytes) as T;
}
