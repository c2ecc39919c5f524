/**
 * One communicator's shared-memory region for collectives among ranks of one host (Open MPI
 * coll/sm, MPICH's shared-memory collectives): every rank writes its contribution where the others
 * can read it, and the ranks meet at an arrival counter instead of exchanging messages. The last
 * rank to arrive releases the others by advancing a generation word, which they poll, or sleep on
 * in the futex, or (after a long wait, or without the futex) sleep on a message that the releaser
 * sends only to ranks that said they sleep (coll/meeting-wait.ts). So a meeting usually costs no
 * message at all, where a dissemination barrier sends p log2 p, and a rank that waits long uses no
 * CPU.
 *
 * Layout (offsets in bytes):
 * ```
 * 0                 i32 arrivals     ranks arrived at the current meeting
 * 4                 i32 last         the rank that arrived last (the releaser)
 * 8                 i32 x 9          the last meeting's verdict on the announcements (see `meet`)
 * 64                i32 generation   meetings released so far (coll/meeting-wait.ts)
 * 68                i32 sleepers     ranks asleep in the futex on the generation
 * 128 + 64 r        i32 x 4          rank r's announcement: collective id, signature, sequence, bytes
 * 128 + 64 r + 16   i32 state        rank r's state word: awake, or asleep on messages
 * data + r SLOT     SLOT bytes       rank r's contribution (r < p)
 * data + p SLOT     SLOT bytes       the result
 * data + (p+1) SLOT 2 x SLOT bytes   broadcast areas, used in turn (see `nextBroadcastArea`)
 * ```
 * The segment is sparse: only the bytes a collective uses are ever touched. The generation has a
 * cache line of its own: the waiters poll it while the others arrive.
 *
 * Set-up happens in the communicator's first shared-memory collective: rank 0 creates the segment
 * and tells the others along a binomial tree (or tells them it could not, and every rank falls back
 * to message-based algorithms on this communicator), they map it, and the last rank to arrive at
 * the first meeting unlinks the name (shm/segment.ts and the launcher cover a crash before that).
 * Collectives on one region run one at a time, in call order, on every rank, so nonblocking ones
 * cannot interleave in the region.
 *
 * Why a meeting is safe: a rank arrives only after writing its announcement and contribution, and
 * the last rank resets the counter, writes the verdict and does its work before it advances the
 * generation, so nobody can arrive at the next meeting before the counter is ready, and everyone
 * reads what the last rank wrote (coll/meeting-wait.ts says why no release is missed). A rank
 * writes its slot for the next collective only after the last meeting of the previous one, which
 * every rank passed only after reading what it needed.
 * Internal to the runtime, not part of its API.
 */
import type { CommCore } from "../core/comm-core.ts";
import { collectiveMismatch, protocolViolation, TsmpiError } from "../errors.ts";
import { attachSegment, createSegment, detachSegment, shmHasRoomFor, shmModule, unlinkOnEnd, unlinkSegment } from "../shm/segment.ts";
import type { AnyTypedArray } from "../wire/typed-array.ts";
import { CollectiveId } from "../core/collective-ids.ts";
import { bcastBinomial } from "./bcast/binomial.ts";
import type { CollectiveCall } from "./messages.ts";
import type { Announced } from "../core/collective-monitor.ts";
import type { SelectionInput } from "./select.ts";
import { currentGeneration, meetingWaitPolicy, release, waitForRelease, type MeetingWaitPolicy, type MeetingWords } from "./meeting-wait.ts";

/** Bytes of one rank's slot: larger contributions go through in pieces of this size. */
export const SLOT_BYTES = 4 * 1024 * 1024;
const ANNOUNCE_OFFSET = 128;
const ANNOUNCE_STRIDE = 64;
const PAGE = 4096;
const ARRIVALS = 0;
const LAST = 1;
/** 1 + the first rank whose announcement differed at the last meeting (0: none), then copies of its and the last rank's. */
const VERDICT = 2;
const GENERATION = 16;
const SLEEPERS = 17;
/** Index of a rank's state word within its announcement's cache line. */
const STATE = 4;

/** Steps (low tag bits) used by the region's own messages; collectives number their meetings from 0. */
const SETUP_STEP = 0xfff0;

type RegionState = { queue: Promise<unknown>; region: SharedRegion | null | undefined };
const states = new WeakMap<CommCore, RegionState>();

/** Whether shared-memory collectives may run on this communicator at all. */
export function sharedMemoryPossible(core: CommCore): boolean {
  // Not whether a region was set up: with nonblocking calls in flight ranks learn that at different
  // times, and selection must not differ between ranks. A failed set-up falls back inside the call.
  if (core.size <= 1 || core.engine.sharedMemoryPrefix === undefined) return false;
  // A failed call may have left a meeting's counters half-counted (every rank of it knows).
  if (core.monitor.hadFailure) return false;
  let possible = onOneHost.get(core);
  if (possible === undefined) {
    // Every rank reaches the same verdict: host identities were published to all at wire-up.
    possible = core.group.every((worldRank) => core.engine.sameHost(worldRank));
    onOneHost.set(core, possible);
  }
  return possible;
}

const onOneHost = new WeakMap<CommCore, boolean>();

/** An algorithm's `canRun` verdict on whether the communicator may use shared memory. */
export function needsSharedMemory(input: SelectionInput): true | string {
  return input.sharedMemory === true ? true : "shared-memory needs every rank of the communicator on one host, with shared memory allowed";
}

/**
 * Runs `body` with the communicator's region, after every earlier shared-memory collective of this
 * communicator on this rank; `fallback` instead if the region could not be set up (the same on
 * every rank).
 */
export function withSharedRegion<T>(call: CollectiveCall, body: (region: SharedRegion) => Promise<T>, fallback: () => Promise<T>): Promise<T> {
  const { core } = call;
  let state = states.get(core);
  if (state === undefined) {
    state = { queue: Promise.resolve(), region: undefined };
    states.set(core, state);
  }
  const current = state;
  const result = current.queue.then(async () => {
    if (current.region === undefined) current.region = await SharedRegion.open(call);
    return current.region === null ? fallback() : body(current.region);
  });
  current.queue = result.catch(() => undefined);
  return result;
}

export class SharedRegion {
  readonly #segment: Buffer;
  readonly #control: Int32Array;
  readonly #size: number;
  readonly #dataOffset: number;
  /** The segment's name until the first meeting, when every rank has mapped it and it is unlinked. */
  #name: string | undefined;
  /** Rank 0's guard that unlinks the name if the process ends before that (shm/segment.ts). */
  #disarm: (() => void) | undefined;
  #broadcastPieces = 0;
  readonly #words: MeetingWords;
  readonly #waitPolicy: MeetingWaitPolicy;

  private constructor(segment: Buffer, size: number, waitPolicy: MeetingWaitPolicy) {
    this.#segment = segment;
    this.#size = size;
    this.#control = new Int32Array(segment.buffer, segment.byteOffset, (ANNOUNCE_OFFSET + ANNOUNCE_STRIDE * size) / 4);
    this.#dataOffset = dataOffset(size);
    this.#words = { control: this.#control, generation: GENERATION, sleepers: SLEEPERS, stateOf: (rank) => announcement(rank) + STATE };
    this.#waitPolicy = waitPolicy;
  }

  /** Sets the region up (collective: every rank of the communicator calls it in the same call). */
  static async open(call: CollectiveCall): Promise<SharedRegion | null> {
    const { core } = call;
    // Context ids are unique among a process's communicators; disjoint ones (split's halves) may
    // share one, so the name also holds the world rank of the communicator's rank 0.
    const name = `/${core.engine.sharedMemoryPrefix}coll-${core.group[0]}-${core.collContext}`;
    const bytes = dataOffset(core.size) + (core.size + 3) * SLOT_BYTES;
    const shm = await shmModule().catch(() => undefined);
    let segment: Buffer | undefined;
    let disarm: (() => void) | undefined;
    if (core.rank === 0) {
      if (shm !== undefined && shmHasRoomFor(bytes)) {
        try {
          segment = createSegment(shm, name, bytes);
        } catch {
          segment = undefined;
        }
        if (segment !== undefined) disarm = unlinkOnEnd(name);
      }
      await bcastBinomial.run(call, segment === undefined ? 0 : 1, 0, SETUP_STEP);
    } else {
      const created = await bcastBinomial.run<number | undefined>(call, undefined, 0, SETUP_STEP);
      if (created === 1) {
        segment = shm === undefined ? undefined : attachSegment(shm, name);
        if (segment === undefined) {
          throw protocolViolation(
            { rank: core.rank, call: call.name },
            `rank 0 created shared memory ${name} for this communicator's collectives, but this rank cannot map it`,
          );
        }
      }
    }
    if (segment === undefined) return null;
    const region = new SharedRegion(segment, core.size, meetingWaitPolicy(core));
    region.#name = name;
    region.#disarm = disarm;
    core.onFree.push(() => {
      region.#forgetName(true);
      if (shm !== undefined) detachSegment(shm, name);
    });
    return region;
  }

  /**
   * The first `length` elements of rank `r`'s slot (the result's when `r` is the communicator
   * size), as an array of `like`'s kind (a Buffer's as a Uint8Array).
   */
  slot(r: number, like: AnyTypedArray, length: number): AnyTypedArray {
    const Kind = (Buffer.isBuffer(like) ? Uint8Array : like.constructor) as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => AnyTypedArray;
    return new Kind(this.#segment.buffer, this.#segment.byteOffset + this.#dataOffset + r * SLOT_BYTES, length);
  }

  /**
   * The broadcast area for the next piece of a broadcast: the two areas alternate, so a root may
   * write a piece while slow ranks still copy out the one before; by the time it comes back to an
   * area, everyone has arrived at the meeting in between, i.e. finished reading it. Every rank
   * calls this once per piece, so the turn is the same everywhere.
   */
  nextBroadcastArea(): Buffer {
    const start = this.#dataOffset + (this.#size + 1 + (this.#broadcastPieces++ % 2)) * SLOT_BYTES;
    return this.#segment.subarray(start, start + SLOT_BYTES);
  }

  /** Writes what this rank's call is, for the others to check after the meeting. */
  announce(call: CollectiveCall, bytes: number): void {
    const base = announcement(call.core.rank);
    this.#control[base] = CollectiveId[call.operation];
    this.#control[base + 1] = call.signature | 0;
    this.#control[base + 2] = call.sequence | 0;
    this.#control[base + 3] = bytes;
  }

  /**
   * Returns once every rank has arrived at this meeting (`step`: the meeting's number within the
   * call), after `announce`. The last rank to arrive compares every announcement with its own and,
   * if all agree, runs `whenLast` while the others still wait; otherwise it leaves the verdict for
   * every rank to throw ERR_COLL_MISMATCH from (the verdict, unlike the announcements, stays put
   * until this rank arrives at the next meeting).
   */
  async meet(call: CollectiveCall, step: number, whenLast?: () => void): Promise<void> {
    const { rank, size } = call.core;
    const generation = currentGeneration(this.#words);
    let last: number;
    if (Atomics.add(this.#control, ARRIVALS, 1) === size - 1) {
      Atomics.store(this.#control, ARRIVALS, 0);
      const disagreeing = this.#firstDisagreeing(rank);
      this.#control[VERDICT] = disagreeing + 1;
      if (disagreeing >= 0) {
        this.#control.copyWithin(VERDICT + 1, announcement(disagreeing), announcement(disagreeing) + 4);
        this.#control.copyWithin(VERDICT + 5, announcement(rank), announcement(rank) + 4);
      } else {
        whenLast?.();
      }
      // Everyone arrived, so everyone has mapped the segment: its name is no longer needed.
      this.#forgetName(true);
      Atomics.store(this.#control, LAST, rank);
      last = rank;
      const sending = release(call, this.#words, generation, step, this.#waitPolicy.futex);
      if (sending !== undefined) await sending;
    } else {
      await waitForRelease(call, this.#words, generation, step, this.#waitPolicy);
      last = Atomics.load(this.#control, LAST);
    }
    this.#forgetName(false);
    const disagreeing = this.#control[VERDICT]! - 1;
    if (disagreeing >= 0) throw this.#mismatch(call, disagreeing, last);
  }

  /** After the first meeting: the last rank to arrive unlinks the name, every rank drops it. */
  #forgetName(unlink: boolean): void {
    if (this.#name === undefined) return;
    if (unlink) unlinkSegment(this.#name);
    this.#disarm?.();
    this.#name = undefined;
    this.#disarm = undefined;
  }

  /** The first rank whose announcement differs from `rank`'s, or -1. */
  #firstDisagreeing(rank: number): number {
    const mine = announcement(rank);
    for (let r = 0; r < this.#size; r++) {
      const theirs = announcement(r);
      for (let i = 0; i < 4; i++) if (this.#control[theirs + i] !== this.#control[mine + i]) return r;
    }
    return -1;
  }

  /** This rank's report of the verdict: its own call against whichever announcement differs from it. */
  #mismatch(call: CollectiveCall, disagreeing: number, last: number): TsmpiError {
    const words = (at: number): Announced & { bytes: number } => ({
      collective: this.#control[at]!,
      signature: this.#control[at + 1]! >>> 0,
      sequence: this.#control[at + 2]! >>> 0,
      bytes: this.#control[at + 3]!,
      source: at === VERDICT + 1 ? disagreeing : last,
    });
    const site = { rank: call.core.rank, call: call.name };
    const mine = this.#control[announcement(call.core.rank) + 3]!;
    const others = [words(VERDICT + 1), words(VERDICT + 5)].filter((other) => other.source !== call.core.rank);
    for (const other of others) {
      const error = call.core.monitor.compareAnnounced(call, other);
      if (error !== undefined) return error;
      if (other.sequence !== call.sequence) {
        return collectiveMismatch(site, `collective mismatch: rank ${other.source} met this rank's collective call #${call.sequence} in its call #${other.sequence}`);
      }
    }
    const other = others.find((o) => o.bytes !== mine) ?? others[0]!;
    return collectiveMismatch(
      site,
      `this rank passed ${mine} bytes but ${other.bytes} bytes came from rank ${other.source}: every rank must pass a typed array of the same kind and length`,
      "data",
    );
  }
}

/** Index (in 32-bit words) of rank `r`'s announcement. */
function announcement(r: number): number {
  return (ANNOUNCE_OFFSET + ANNOUNCE_STRIDE * r) / 4;
}

function dataOffset(size: number): number {
  return Math.ceil((ANNOUNCE_OFFSET + ANNOUNCE_STRIDE * size) / PAGE) * PAGE;
}
