/**
 * A rank's inbox for messages from ranks of its own host: one shared-memory segment holding a
 * queue (transport/shared-queue.ts) per possible sender, indexed by world rank, and the word that
 * says the receiver has stopped polling and wants a doorbell (transport/same-host.ts).
 *
 * The receiver creates it before it publishes its address, so it exists before any peer can send;
 * every rank of the host maps it right after the address exchange, and the receiver then removes
 * its name (unlinkOnceMapped), so that the job leaves nothing in /dev/shm however it ends. Until
 * then an exit or signal unlinks it too, and tsmpirun removes a name a SIGKILL leaves behind, as
 * for every segment of the job (shm/segment.ts).
 * The segment is sparse: only the queues in use, and only as far as they fill, are touched.
 * Internal to the runtime, not part of its API.
 */
import { attachSegment, createSegment, shmHasRoomFor, unlinkOnEnd, unlinkSegment, type ShmModule } from "../shm/segment.ts";
import { QueueConsumer, QueueProducer, SLOT_CONTROL_BYTES } from "./shared-queue.ts";

/** Bytes of queue per (sender, receiver) pair. */
const QUEUE_CAPACITY = 256 * 1024;
/** The inbox's own control words, before the first slot (a page, so slots stay aligned). */
const INBOX_CONTROL_BYTES = 4096;
const SLEEPING = 0;
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

  private constructor(segment: Buffer, name: string) {
    this.#segment = segment;
    this.#control = new Int32Array(segment.buffer, segment.byteOffset, 1);
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

  /** Says whether this rank wants a doorbell for its next message (see same-host.ts). */
  set sleeping(value: boolean) {
    Atomics.store(this.#control, SLEEPING, value ? 1 : 0);
  }

  /** Removes the name (senders that mapped it keep their mapping; later ones use the socket). */
  close(): void {
    this.#disarm();
    unlinkSegment(this.#name);
  }

  /**
   * Waits (bounded) until every one of `senders` has mapped this inbox, then removes its name, so
   * that nothing of the job is left in /dev/shm however it ends. Every rank maps its peers' inboxes
   * right after the address exchange (SameHostTransport.attachPeers), so the wait is short; one
   * that never comes leaves the name until close.
   */
  async unlinkOnceMapped(senders: readonly number[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const consumers = senders.map((sender) => this.consumer(sender));
    while (!consumers.every((consumer) => consumer.attached)) {
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.close();
  }
}

/** A peer's inbox as a sender sees it: its queue from this rank, and the peer's sleeping word. */
export class PeerInbox {
  readonly producer: QueueProducer;
  readonly #control: Int32Array;

  private constructor(segment: Buffer, sender: number) {
    this.producer = new QueueProducer(segment, slotOffset(sender), QUEUE_CAPACITY);
    this.#control = new Int32Array(segment.buffer, segment.byteOffset, 1);
  }

  /** Maps the inbox of `rank`; `undefined` if there is none (it could not make one, or has closed). */
  static attach(shm: ShmModule, prefix: string, rank: number, sender: number): PeerInbox | undefined {
    const segment = attachSegment(shm, inboxName(prefix, rank));
    return segment === undefined ? undefined : new PeerInbox(segment, sender);
  }

  /**
   * Whether the peer wants a doorbell for what was just written, clearing its word so that only
   * one sender rings. Called after the write: the peer sets the word before its last look at the
   * queues, so either it sees the message or this sees the word.
   */
  takeDoorbell(): boolean {
    return Atomics.load(this.#control, SLEEPING) === 1 && Atomics.compareExchange(this.#control, SLEEPING, 1, 0) === 1;
  }
}
