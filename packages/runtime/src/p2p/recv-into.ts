/**
 * Receiving a typed array into the caller's buffer (MPI_Recv with a buffer and count; mpi4py's
 * upper-case `Recv`): the message's raw bytes are copied in, without decoding a new array.
 */
import type { CommCore } from "../core/comm-core.ts";
import { badArgument, truncated } from "../errors.ts";
import type { IncomingMessage } from "../matching/matcher.ts";
import { PayloadFormat } from "../wire/header.ts";
import { isTypedArray, typedArrayKind, type AnyTypedArray } from "../wire/typed-array.ts";
import { postReceive } from "./recv.ts";
import { CANCELLED_STATUS, NULL_RECEIVE_STATUS, type Status } from "./status.ts";

/**
 * Checks the arguments synchronously, then receives into `buffer`. The message must be a typed
 * array of the buffer's kind (ERR_ARG otherwise) and at most its length (ERR_TRUNCATE otherwise);
 * both are found once the message has been taken, as MPI finds them.
 */
export function startRecvInto(core: CommCore, call: string, buffer: unknown, source: number, tag: number): Promise<Status> {
  if (!isTypedArray(buffer)) throw badArgument({ rank: core.rank, call }, "buffer", buffer, "a typed array");
  const pending = postReceive(core, call, source, tag);
  return pending.message.then((message) => {
    if (message === undefined) return pending.handle.status ?? NULL_RECEIVE_STATUS;
    copyInto(core, call, buffer, message);
    return pending.handle.status ?? CANCELLED_STATUS;
  });
}

function copyInto(core: CommCore, call: string, buffer: AnyTypedArray, message: IncomingMessage): void {
  const site = { rank: core.rank, call };
  const what = `the message from rank ${message.source} with tag ${message.tag}`;
  if (message.format !== PayloadFormat.TYPED_ARRAY || message.elementKind !== typedArrayKind(buffer)) {
    throw badArgument(site, "buffer", buffer, `a typed array of the message's kind (${what} is ${message.format === PayloadFormat.TYPED_ARRAY ? "a typed array of another kind" : "not a typed array"})`);
  }
  const bytes = message.payload.byteLength;
  if (bytes > buffer.byteLength) {
    const perElement = buffer.BYTES_PER_ELEMENT;
    throw truncated(site, `${what} (${bytes / perElement} elements)`, `the buffer of ${buffer.length} elements (${buffer.constructor.name})`);
  }
  new Uint8Array(buffer.buffer, buffer.byteOffset, bytes).set(message.payload);
}
