/**
 * A rank's inbox for messages from ranks of its own host: one shared-memory segment holding a
 * queue (transport/shared-queue.ts) per possible sender, indexed by world rank, and the word that
 * says whether the receiver has stopped polling and how it wants to be woken (transport/same-host.ts).
 *
 * The receiver creates it before it publishes its address, so it exists before any peer can send.
 * A peer maps it on its first message to the receiver (PeerInbox.attach), not at init: mapping
 * every peer's inbox there cost each rank of a host as many system calls as it has peers, for
 * inboxes a program may never write to (where no launcher would remove a name that a SIGKILL
 * leaves, srun's ranks, every rank still maps every peer's at init). The name goes as soon as it is no longer needed, so that
 * the job leaves nothing in /dev/shm however it ends: the peer whose mapping completes the set of
 * the host's senders removes it, and the receiver does at close if some peer never sent to it.
 * Until then an exit or signal of the receiver unlinks it, and tsmpirun removes a name that a
 * SIGKILL leaves behind, as for every segment of the job (shm/segment.ts).
 * The segment is sparse: only the queues in use, and only as far as they fill, are touched.
 * Internal to the runtime, not part of its API.
 */
import { attachSegment, createSegment, shmHasRoomFor, unlinkOnEnd, unlinkSegment, type ShmModule } from "../shm/segment.ts";
import type { Futex } from "./futex.ts";
import { QueueConsumer, QueueProducer, SLOT_CONTROL_BYTES } from "./shared-queue.ts";

/** Bytes of queue per (sender, receiver) pair. */
const QUEUE_CAPACITY = 256 * 1024;
/** The inbox's own control words, before the first slot (a page, so slots stay aligned). */
const INBOX_CONTROL_BYTES = 4096;
/** Index of the receiver's state word (ReceiverState). */
const STATE_WORD = 0;
/** Index of the word the receiver sets when it closes (on a cache line of its own). */
const CLOSED_WORD = 16;
/** Index of the word set by the sender that removed the name (the receiver's listeners can go). */
const NAME_REMOVED_WORD = 32;

/** Looking at its queues, or not waiting: a sender need not tell it anything. */
export const AWAKE = 0;
/** Waiting on its socket: a sender rings its doorbell there. */
export const ASLEEP_ON_SOCKET = 1;
/** Blocked in the futex on its state word: a sender wakes it there (transport/futex.ts). */
export const ASLEEP_IN_FUTEX = 2;
export type ReceiverState = typeof AWAKE | typeof ASLEEP_ON_SOCKET | typeof ASLEEP_IN_FUTEX;
const SLOT_BYTES = SLOT_CONTROL_BYTES + QUEUE_CAPACITY;
/** An inbox is created only if /dev/shm has this many times the bytes in use it could reach. */
const FREE_SPACE_FACTOR = 4;

export function inboxName(prefix: string, rank: number): string {
  return `/${prefix}inbox-${rank}`;
}

const slotOffset = (sender: number): number => INBOX_CONTROL_BYTES + sender * SLOT_BYTES;

/** This rank's own inbox: it consumes every queue in it. */
export class OwnInbox {
  readonly #segment: Buffer;
  readonly #control: Int32Array;
  readonly #name: string;
  readonly #disarm: () => void;
  #nameRemoved = false;

  private constructor(segment: Buffer, name: string) {
    this.#segment = segment;
    this.#control = new Int32Array(segment.buffer, segment.byteOffset, INBOX_CONTROL_BYTES / 4);
    this.#name = name;
    this.#disarm = unlinkOnEnd(name);
  }

  /**
   * Creates the inbox of `rank` with a slot for each of `worldSize` senders; `undefined` if shared
   * memory is short or the name is taken (then every message to this rank goes through its socket).
   * `localSenders` is how many ranks could ever write here (bounds the space it can take).
   */
  static create(shm: ShmModule, prefix: string, rank: number, worldSize: number, localSenders: number): OwnInbox | undefined {
    if (!shmHasRoomFor(localSenders * SLOT_BYTES * FREE_SPACE_FACTOR)) return undefined;
    const name = inboxName(prefix, rank);
    const segment = createSegment(shm, name, slotOffset(worldSize));
    return segment === undefined ? undefined : new OwnInbox(segment, name);
  }

  /** The queue from world rank `sender`. */
  consumer(sender: number): QueueConsumer {
    return new QueueConsumer(this.#segment, slotOffset(sender), QUEUE_CAPACITY);
  }

  /** Says how this rank wants to hear of its next message (see same-host.ts). */
  set state(value: ReceiverState) {
    Atomics.store(this.#control, STATE_WORD, value);
  }

  /**
   * Sleeps in the futex while this rank's word says ASLEEP_IN_FUTEX, at most `timeoutUs`. A
   * sender that finds the word so clears it and wakes this rank; one that came before the sleep
   * cleared the word already, and then this returns at once.
   */
  sleepInFutex(futex: Futex, timeoutUs: number): void {
    futex.wait(this.#control, STATE_WORD, ASLEEP_IN_FUTEX, timeoutUs);
  }

  /**
   * Says this rank takes nothing more from its queues (a sender still holding messages for it
   * drops them: see SameHostTransport.close), and removes the name if it is still there.
   */
  close(): void {
    Atomics.store(this.#control, CLOSED_WORD, 1);
    this.removeName();
  }

  /** Drops the exit and signal listeners once a sender has removed the name (PeerInbox.attach). */
  noticeNameRemoved(): void {
    if (this.#nameRemoved || Atomics.load(this.#control, NAME_REMOVED_WORD) === 0) return;
    this.#nameRemoved = true;
    this.#disarm();
  }

  /** Removes the name now (when no other rank of the host will map it); mappings stay valid. */
  removeName(): void {
    if (this.#nameRemoved) return;
    this.#nameRemoved = true;
    this.#disarm();
    unlinkSegment(this.#name);
  }
}

/** A peer's inbox as a sender sees it: its queue from this rank, and the peer's sleeping word. */
export class PeerInbox {
  readonly producer: QueueProducer;
  readonly #control: Int32Array;

  private constructor(segment: Buffer, sender: number) {
    this.producer = new QueueProducer(segment, slotOffset(sender), QUEUE_CAPACITY);
    this.#control = new Int32Array(segment.buffer, segment.byteOffset, INBOX_CONTROL_BYTES / 4);
  }

  /** Whether the peer has closed its inbox: it will take nothing more from its queues. */
  get closed(): boolean {
    return Atomics.load(this.#control, CLOSED_WORD) === 1;
  }

  /**
   * Maps the inbox of `rank` for `sender`; `undefined` if there is none (it could not make one, or
   * has closed). `otherSenders`: the host's other ranks but `rank`. The sender whose mapping
   * completes them removes the name, which nobody needs any more: each says in its slot that it
   * has mapped before it looks at the others' slots, so of two that finish together at least one
   * sees both (sequentially consistent atomics).
   */
  static attach(shm: ShmModule, prefix: string, rank: number, sender: number, otherSenders: readonly number[]): PeerInbox | undefined {
    const name = inboxName(prefix, rank);
    const segment = attachSegment(shm, name);
    if (segment === undefined) return undefined;
    const inbox = new PeerInbox(segment, sender);
    if (otherSenders.every((other) => new QueueConsumer(segment, slotOffset(other), QUEUE_CAPACITY).attached)) {
      unlinkSegment(name);
      Atomics.store(inbox.#control, NAME_REMOVED_WORD, 1);
    }
    return inbox;
  }

  /**
   * How the peer wants to hear of what was just written, clearing its word so that only one
   * sender tells it: AWAKE (it is looking, or another sender has told it), ASLEEP_ON_SOCKET (ring
   * its doorbell) or ASLEEP_IN_FUTEX (this has woken it). Called after the write: the peer sets
   * the word before its last look at the queues, so either it sees the message or this sees the word.
   * `socketFollows`: what was written is a marker, and its message is about to go through the socket.
   * `futex`: the addon, asked for only when the peer sleeps in it.
   */
  takeDoorbell(futex: () => Futex | undefined, socketFollows = false): ReceiverState {
    const state = Atomics.load(this.#control, STATE_WORD) as ReceiverState;
    // A peer that waits on its socket hears a message that comes through it anyway.
    if (state === AWAKE || (socketFollows && state === ASLEEP_ON_SOCKET)) return AWAKE;
    if (Atomics.compareExchange(this.#control, STATE_WORD, state, AWAKE) !== state) return AWAKE;
    if (state === ASLEEP_IN_FUTEX) futex()?.wake(this.#control, STATE_WORD, 1);
    return state;
  }
}
