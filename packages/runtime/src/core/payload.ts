/**
 * What every communicator operation does with user data: encode it for sending and decode what
 * arrived, each failure as the catalogue's error naming the rank and the call. Point-to-point and
 * collectives share it (neither borrows from the other).
 * Internal to the runtime, not part of its API.
 */
import { notSerializable, undecodable } from "../errors.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { decodePayload, encodePayload, UnserializableError, wireCopy, type EncodedPayload } from "../wire/codec.ts";
import type { CommCore } from "./comm-core.ts";

export function encodeForSend(core: CommCore, call: string, data: unknown): EncodedPayload {
  try {
    return encodePayload(data);
  } catch (error) {
    if (!(error instanceof UnserializableError)) throw error;
    throw notSerializable({ rank: core.rank, call }, "data", error);
  }
}

/** A rank's own block of a collective, copied as a message would copy it; refused like a send. */
export function copyForSelf<T>(core: CommCore, call: string, data: T): T {
  try {
    return wireCopy(data);
  } catch (error) {
    if (!(error instanceof UnserializableError)) throw error;
    throw notSerializable({ rank: core.rank, call }, "data", error);
  }
}

export function decodeMessage<T>(core: CommCore, call: string, message: IncomingMessage): T {
  try {
    return decodePayload(message.format, message.elementKind, message.payload) as T;
  } catch (error) {
    throw undecodable({ rank: core.rank, call }, `the message from rank ${message.source} with tag ${message.tag}`, error);
  }
}
