/**
 * Shared-memory broadcast (Open MPI coll/sm) among ranks of one host (coll/shared-region.ts): the
 * root encodes the value once and copies it into a broadcast area of the communicator's region,
 * every rank arrives at a meeting, and the others copy it out. Pieces of at most an area each, one
 * meeting per piece. Messages moved: at most p - 1 empty ones per piece (to ranks asleep on
 * messages: coll/meeting-wait.ts), against p - 1 carrying the whole value (and every inner rank of
 * a binomial tree copying it again to forward it). Any value: the
 * size travels in the area, so ranks that pass nothing learn it there.
 *
 * Area layout: u8 format, u8 element kind, u16 unused, u32 this piece's bytes, f64 the total, then
 * the piece at offset 64.
 */
import { undecodable } from "../../errors.ts";
import { decodePayload, type EncodedPayload } from "../../wire/codec.ts";
import { PayloadFormat } from "../../wire/header.ts";
import { isTypedArray, typedArrayBytes, typedArrayKind, type AnyTypedArray } from "../../wire/typed-array.ts";
import { collEncode, type CollectiveCall } from "../messages.ts";
import { needsSharedMemory, withSharedRegion, type SharedRegion } from "../shared-region.ts";
import { intoBuffer } from "./buffer.ts";

const PIECE_OFFSET = 64;

export const bcastSharedMemory = {
  name: "shared-memory",
  canRun: needsSharedMemory,
  run<T>(call: CollectiveCall, data: T, root: number): Promise<T> {
    return withSharedRegion(
      call,
      (region) => broadcastInRegion(call, region, data, root),
      () => (call.withoutSharedMemory() as { run<T>(call: CollectiveCall, data: T, root: number): Promise<T> }).run(call, data, root),
    );
  },
};

async function broadcastInRegion<T>(call: CollectiveCall, region: SharedRegion, data: T, root: number): Promise<T> {
  const isRoot = call.core.rank === root;
  const payload: EncodedPayload | undefined = isRoot ? collEncode(call, data) : undefined;
  let received: Buffer | undefined;
  let intoData = false;
  let format = 0;
  let elementKind = 0;
  let total = 0;
  let offset = 0;
  let meeting = 0;
  do {
    const area = region.nextBroadcastArea();
    const header = new DataView(area.buffer, area.byteOffset, 16);
    if (payload !== undefined) {
      total = payload.bytes.length;
      const piece = Math.min(area.length - PIECE_OFFSET, total - offset);
      header.setUint8(0, payload.format);
      header.setUint8(1, payload.elementKind);
      header.setUint32(4, piece, true);
      header.setFloat64(8, total, true);
      area.set(payload.bytes.subarray(offset, offset + piece), PIECE_OFFSET);
      offset += piece;
    }
    // Only the root knows the size: every rank announces 0 bytes (the root is in the signature).
    region.announce(call, 0);
    await region.meet(call, meeting++);
    if (payload === undefined) {
      format = header.getUint8(0);
      elementKind = header.getUint8(1);
      const piece = header.getUint32(4, true);
      total = header.getFloat64(8, true);
      if (received === undefined) {
        // A buffer of the root's kind and size receives the pieces directly (no copy in between).
        intoData = fitsBuffer(data, format, elementKind, total);
        received = intoData ? typedArrayBytes(data as AnyTypedArray) : Buffer.allocUnsafeSlow(total);
      }
      received.set(area.subarray(PIECE_OFFSET, PIECE_OFFSET + piece), offset);
      offset += piece;
    }
  } while (offset < total);
  if (isRoot || intoData) return data;
  let value: unknown;
  try {
    value = decodePayload(format, elementKind, received ?? Buffer.alloc(0));
  } catch (error) {
    throw undecodable({ rank: call.core.rank, call: call.name }, `what root ${root} broadcast`, error);
  }
  return intoBuffer(call, data, value as T, root);
}

function fitsBuffer(data: unknown, format: number, elementKind: number, total: number): boolean {
  return format === PayloadFormat.TYPED_ARRAY && isTypedArray(data) && typedArrayKind(data) === elementKind && data.byteLength === total;
}
