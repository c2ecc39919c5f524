/**
 * Large messages between ranks of one host through shared memory (Open MPI btl/vader's
 * copy-in/copy-out): the sender copies the payload into a ring it shares with the receiver and sends
 * only a small notice (ring position and length) through the ZeroMQ link, so the notice keeps its
 * place in the link's order and the payload skips the Unix socket: one copy in, one copy out,
 * instead of a copy into a send buffer, two kernel copies and ZeroMQ's I/O threads.
 *
 * One ring per (sender, receiver) pair, created by the sender on its first large message to that
 * peer and unlinked by the receiver as soon as it has mapped it (shm/segment.ts: the launcher removes
 * a name left behind by a crash). Only the sender writes `head` (its own memory) and only the
 * receiver writes `tail` (the first word of the segment): positions grow modulo 2^32 and the
 * capacity divides 2^32, so `head - tail` is the bytes in flight. The receiver copies a message out
 * as soon as the notice arrives, in link order, so `tail` moves in order and space is reused at once.
 * When the ring is empty the next message starts again at the ring's beginning: the memory touched
 * is the most ever in flight, not the whole capacity. A message that does not fit (ring full, or
 * larger than a quarter of it) goes through the socket as before; order holds because both paths
 * share the link.
 * Internal to the runtime, not part of its API.
 */
import { attachSegment, createSegment, shmHasRoomFor, unlinkSegment, type ShmModule } from "../shm/segment.ts";

/** Bytes of ring per (sender, receiver) pair: virtual size; only what is in flight gets touched. */
const RING_CAPACITY = 64 * 1024 * 1024;
/** Room before the data for the receiver's `tail` word (one cache line, so it shares no line with data). */
const CONTROL_BYTES = 64;
/** Messages start on cache-line boundaries (and keep any typed array aligned). */
const ALIGN = 64;
/** A ring is created only if /dev/shm has this many times its capacity free (a full tmpfs raises SIGBUS). */
const FREE_SPACE_FACTOR = 4;

const aligned = (bytes: number): number => Math.ceil(bytes / ALIGN) * ALIGN;

export function ringName(prefix: string, from: number, to: number): string {
  return `/${prefix}ring-${from}-${to}`;
}

/** The sender's end of a ring. */
export class RingWriter {
  readonly #data: Buffer;
  readonly #tail: Int32Array;
  readonly #capacity: number;
  #head = 0;

  private constructor(segment: Buffer, capacity: number) {
    this.#tail = new Int32Array(segment.buffer, segment.byteOffset, 1);
    this.#data = segment.subarray(CONTROL_BYTES, CONTROL_BYTES + capacity);
    this.#capacity = capacity;
  }

  /** Creates the ring `name`, or returns `undefined` if shared memory is short or the name is taken. */
  static create(shm: ShmModule, name: string, capacity = RING_CAPACITY): RingWriter | undefined {
    if (!shmHasRoomFor(capacity * FREE_SPACE_FACTOR)) return undefined;
    const segment = createSegment(shm, name, CONTROL_BYTES + capacity);
    return segment === undefined ? undefined : new RingWriter(segment, capacity);
  }

  /** Largest message the ring takes, so that a few can be in flight at once. */
  get maxMessageBytes(): number {
    return this.#capacity / 4;
  }

  /** Copies `bytes` into the ring and returns their position, or `undefined` if there is no room. */
  write(bytes: Uint8Array): number | undefined {
    if (bytes.length > this.maxMessageBytes) return undefined;
    let tail = Atomics.load(this.#tail, 0) >>> 0;
    let offset = this.#head % this.#capacity;
    if (this.#head === tail && offset !== 0) {
      // Empty: the receiver has taken every message sent, so it writes `tail` again only after the
      // next notice. Start over at the beginning, so that the memory in use stays small.
      this.#head = (this.#head + this.#capacity - offset) >>> 0;
      tail = this.#head;
      Atomics.store(this.#tail, 0, tail | 0);
      offset = 0;
    }
    const inFlight = (this.#head - tail) >>> 0;
    // A message never wraps: it skips the end of the ring instead.
    const skip = offset + bytes.length > this.#capacity ? this.#capacity - offset : 0;
    const size = aligned(bytes.length);
    if (inFlight + skip + size > this.#capacity) return undefined;
    const position = (this.#head + skip) >>> 0;
    this.#data.set(bytes, position % this.#capacity);
    this.#head = (position + size) >>> 0;
    return position;
  }
}

/** The receiver's end of a ring. */
export class RingReader {
  readonly #data: Buffer;
  readonly #tail: Int32Array;
  readonly #capacity: number;

  private constructor(segment: Buffer) {
    this.#capacity = segment.length - CONTROL_BYTES;
    this.#tail = new Int32Array(segment.buffer, segment.byteOffset, 1);
    this.#data = segment.subarray(CONTROL_BYTES);
  }

  /** Maps the ring `name` and removes the name (nobody else attaches); `undefined` if there is none. */
  static attach(shm: ShmModule, name: string): RingReader | undefined {
    const segment = attachSegment(shm, name);
    unlinkSegment(name);
    return segment === undefined ? undefined : new RingReader(segment);
  }

  /** Copies the message at `position` out of the ring into memory of its own and frees its space. */
  take(position: number, length: number): Buffer {
    const offset = position % this.#capacity;
    if (offset + length > this.#capacity) throw new Error(`shared ring: message at ${position} (${length} bytes) runs past the ring`);
    const payload = Buffer.allocUnsafeSlow(length);
    payload.set(this.#data.subarray(offset, offset + length));
    Atomics.store(this.#tail, 0, (position + aligned(length)) | 0);
    return payload;
  }
}
