/**
 * Typed arrays travel as their raw bytes beside a one-byte kind code, never element by element.
 */
/** Any of the standard typed arrays (not a DataView): what the vector collectives (`gatherv`, ...) move. */
export type AnyTypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

interface TypedArrayClass {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): AnyTypedArray;
  new (length: number): AnyTypedArray;
}

/** The standard typed-array classes, in wire-code order (shared with SharedArray and DArray). */
export const TYPED_ARRAY_CLASSES = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** Index = wire code. Append only: codes are part of the wire format. */
const KINDS: readonly TypedArrayClass[] = [...TYPED_ARRAY_CLASSES, Buffer as unknown as TypedArrayClass];
const BUFFER_KIND = KINDS.length - 1;

export function isTypedArray(value: unknown): value is AnyTypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

export function typedArrayKind(value: AnyTypedArray): number {
  if (Buffer.isBuffer(value)) return BUFFER_KIND;
  const kind = KINDS.indexOf(value.constructor as TypedArrayClass);
  // A subclass of a typed array travels as its base class.
  return kind >= 0 ? kind : KINDS.findIndex((k) => value instanceof (k as unknown as typeof Uint8Array));
}

/** The bytes of `value`'s view (only the view, not its whole ArrayBuffer), without copying. */
export function typedArrayBytes(value: AnyTypedArray): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * The typed array of kind `kind` over `bytes`. Received frames own their ArrayBuffer, so an aligned
 * frame becomes a view without copying; a misaligned one is copied once.
 */
export function typedArrayFromBytes(kind: number, bytes: Buffer): AnyTypedArray | undefined {
  const Kind = KINDS[kind];
  if (Kind === undefined) return undefined;
  if (kind === BUFFER_KIND) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = Kind.BYTES_PER_ELEMENT;
  if (bytes.byteLength % width !== 0) return undefined;
  const length = bytes.byteLength / width;
  if (bytes.byteOffset % width === 0) return new Kind(bytes.buffer, bytes.byteOffset, length);
  const aligned = new Kind(length);
  new Uint8Array(aligned.buffer).set(bytes);
  return aligned;
}
