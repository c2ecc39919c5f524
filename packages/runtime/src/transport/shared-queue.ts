/**
 * A single-producer single-consumer queue of messages in shared memory (Open MPI btl/vader's
 * per-peer FIFO, MPICH nemesis' cells): one per (sender, receiver) pair of ranks on one host, the
 * receiver's inbox holding one slot per possible sender (transport/inbox.ts). A message is a length
 * word and the frame that wire/header.ts decodes, 8-byte aligned; the sender publishes it by
 * storing `head`, the receiver frees it by storing `tail`, each word written by one side only, so
 * no lock is needed. Positions grow modulo 2^32 and the capacity divides 2^32, so `head - tail` is
 * the bytes in use. A message never wraps: a WRAP word sends the reader back to the start.
 *
 * A length of 0 is a marker, not a message: "the next message from this sender comes through the
 * socket" (one too large for the queue, transport/same-host.ts), which keeps one order across both
 * paths.
 * Internal to the runtime, not part of its API.
 */

/** Bytes before a slot's data: `head`, `tail`, `attached` and `wantsRoom` on cache lines of their own. */
export const SLOT_CONTROL_BYTES = 256;
const HEAD = 0;
const TAIL = 16;
const ATTACHED = 32;
/** Set by the sender when a message did not fit; the receiver clears it and wakes the sender. */
const WANTS_ROOM = 48;
const LENGTH_BYTES = 8;
const WRAP = 0xffffffff;

const aligned = (bytes: number): number => (bytes + 7) & ~7;

/** What the consumer takes: a message's frame, or the marker. */
export const SOCKET_MARKER = Symbol("the next message comes through the socket");

/** A queue's control words and data inside a mapped segment. */
interface SlotView {
  words: Int32Array;
  lengths: Uint32Array;
  data: Buffer;
  capacity: number;
}

function viewSlot(segment: Buffer, offset: number, capacity: number): SlotView {
  return {
    words: new Int32Array(segment.buffer, segment.byteOffset + offset, SLOT_CONTROL_BYTES / 4),
    lengths: new Uint32Array(segment.buffer, segment.byteOffset + offset + SLOT_CONTROL_BYTES, capacity / 4),
    data: segment.subarray(offset + SLOT_CONTROL_BYTES, offset + SLOT_CONTROL_BYTES + capacity),
    capacity,
  };
}

/** The sender's end. */
export class QueueProducer {
  readonly #slot: SlotView;
  #head: number;

  /** The slot at `offset` of a peer's mapped inbox; says so in the slot (see `attached`). */
  constructor(segment: Buffer, offset: number, capacity: number) {
    this.#slot = viewSlot(segment, offset, capacity);
    this.#head = Atomics.load(this.#slot.words, HEAD) >>> 0;
    Atomics.store(this.#slot.words, ATTACHED, 1);
  }

  /** Asks the receiver to wake this rank once it has taken something (see `write`). */
  askForRoom(): void {
    Atomics.store(this.#slot.words, WANTS_ROOM, 1);
  }

  /** Largest frame the queue takes, so that several fit at once. */
  get maxFrameBytes(): number {
    return this.#slot.capacity / 4 - LENGTH_BYTES;
  }

  /**
   * Reserves room for a frame of `length` bytes (0: the marker), lets `fill` write it, and
   * publishes it. `false` if the queue has no room now (nothing was written).
   */
  write(length: number, fill: (target: Buffer) => void): boolean {
    const { words, lengths, data, capacity } = this.#slot;
    const size = LENGTH_BYTES + aligned(length);
    const used = (this.#head - (Atomics.load(words, TAIL) >>> 0)) >>> 0;
    let offset = this.#head % capacity;
    const skip = offset + size > capacity ? capacity - offset : 0;
    if (used + skip + size > capacity) return false;
    if (skip > 0) {
      lengths[offset / 4] = WRAP;
      this.#head = (this.#head + skip) >>> 0;
      offset = 0;
    }
    lengths[offset / 4] = length;
    if (length > 0) fill(data.subarray(offset + LENGTH_BYTES, offset + LENGTH_BYTES + length));
    this.#head = (this.#head + size) >>> 0;
    Atomics.store(words, HEAD, this.#head | 0);
    return true;
  }
}

/** The receiver's end. */
export class QueueConsumer {
  readonly #slot: SlotView;
  #tail: number;

  constructor(segment: Buffer, offset: number, capacity: number) {
    this.#slot = viewSlot(segment, offset, capacity);
    this.#tail = Atomics.load(this.#slot.words, TAIL) >>> 0;
  }

  /** Whether a sender has ever attached to this slot (then its large messages leave markers here). */
  get attached(): boolean {
    return Atomics.load(this.#slot.words, ATTACHED) === 1;
  }

  /** Whether the sender asked to be woken for room, clearing the request (see askForRoom). */
  takeRoomRequest(): boolean {
    return Atomics.load(this.#slot.words, WANTS_ROOM) === 1 && Atomics.compareExchange(this.#slot.words, WANTS_ROOM, 1, 0) === 1;
  }

  /** Whether something waits, without taking it. */
  get ready(): boolean {
    return Atomics.load(this.#slot.words, HEAD) >>> 0 !== this.#tail;
  }

  /** The oldest message's frame, copied out (the receiver keeps it), the marker, or `undefined`. */
  take(): Buffer | typeof SOCKET_MARKER | undefined {
    const { words, lengths, data, capacity } = this.#slot;
    if (Atomics.load(words, HEAD) >>> 0 === this.#tail) return undefined;
    let offset = this.#tail % capacity;
    let length = lengths[offset / 4]!;
    if (length === WRAP) {
      this.#tail = (this.#tail + capacity - offset) >>> 0;
      offset = 0;
      length = lengths[0]!;
    }
    let frame: Buffer | typeof SOCKET_MARKER = SOCKET_MARKER;
    if (length > 0) {
      frame = Buffer.allocUnsafeSlow(length);
      frame.set(data.subarray(offset + LENGTH_BYTES, offset + LENGTH_BYTES + length));
    }
    this.#tail = (this.#tail + LENGTH_BYTES + aligned(length)) >>> 0;
    Atomics.store(words, TAIL, this.#tail | 0);
    return frame;
  }
}
