/**
 * How the ranks of a shared-memory collective pass a meeting (coll/shared-region.ts): the last to
 * arrive releases the others by advancing the region's generation word, and the others wait for
 * the word to change, the way the same-host transport waits for a message
 * (transport/progress-policy.ts):
 * - when the host's ranks fit its cores, they poll the word for the spin budget;
 * - when they outnumber them and the futex addon is there (transport/futex.ts), they poll it while
 *   giving their core away between looks for a short spell (the rank they wait for may be the one
 *   that gets it), then sleep in the futex on the word for a block budget at a time, with a turn of
 *   the event loop after each (timers, output, the launcher, and failure notices from other ranks,
 *   which fail the call and end the wait), up to a long-wait span;
 * - then, or at once without the futex, they sleep on messages: a rank says so in its state word
 *   and waits for an empty message of the meeting's step, which the releasing rank sends only to
 *   the ranks whose word says so. A rank that waits for seconds (one arriving late) thus uses no
 *   CPU, and the event loop runs meanwhile, as in any receive.
 * A nonblocking call (ibarrier) never sleeps in the futex: its program may want the event loop for
 * other work meanwhile, and the futex hears no message.
 *
 * Words, in the region's control block: the generation (counts meetings, modulo GENERATIONS); the
 * number of ranks asleep in the futex on it (the releaser skips the wake system call when none is);
 * per rank a state word: AWAKE, or ASLEEP(g) (asleep on messages at the meeting of generation g).
 *
 * Why no wake-up is lost and no message is left over (every step below is a sequentially consistent
 * Atomics operation):
 * - A waiter reads the generation before it arrives at the counter, and the releaser advances it
 *   only after every rank has arrived: the value read is always the one this meeting's release
 *   changes, never an older one, and the release cannot come before the read.
 * - Futex: a waiter counts itself among the sleepers, then FUTEX_WAIT sleeps only while the word
 *   still holds the generation it read (the kernel checks that under the lock a wake takes). The
 *   releaser stores the new generation, then reads the count and wakes the word if it is not 0.
 *   Either the releaser sees the count (and wakes a sleeper, or one about to find the word changed)
 *   or the waiter counted itself after the store, and its FUTEX_WAIT returns at once.
 * - Messages: the waiter writes ASLEEP(g) into its state word, then reads the generation again;
 *   the releaser, after storing the new generation, swaps each other rank's word from ASLEEP(g) to
 *   AWAKE (compare-and-swap) and sends a message to each rank it swapped. If the releaser looked
 *   at the word before the waiter wrote it, the waiter's second read comes after the store, sees
 *   the new generation, and the waiter swaps its word back itself: no message. If the swap back
 *   fails, the releaser swapped the word in between and its message is on its way: the waiter takes
 *   it before it leaves. Otherwise the waiter sleeps until the message comes. So every message is
 *   taken by the meeting it was sent for, and every rank leaves a meeting with its word AWAKE.
 * - The releaser swaps only ASLEEP of its own meeting's generation: a rank that saw the release by
 *   polling may be asleep at the next meeting before this releaser reaches its word. That word is
 *   left to the next meeting's releaser, which comes only after this releaser has arrived there,
 *   i.e. after it has sent its messages.
 * Messages also carry the meeting's tag (the call's sequence number and the meeting's step), so
 * none could be taken by another meeting.
 * Internal to the runtime, not part of its API.
 */
import { setTimeout as delay } from "node:timers/promises";
import { ANY_SOURCE } from "../constants.ts";
import type { CommCore } from "../core/comm-core.ts";
import { futex as futexAddon, type Futex } from "../transport/futex.ts";
import { blockBudgetUs, spinBudgetUs, yieldPollBudgetUs } from "../transport/progress-policy.ts";
import { asCallError, FINDER_GRACE_MS, PeerFinalized } from "../engine/peer-finalized.ts";
import { LiveList } from "../util/live-list.ts";
import { collRecv, collSend, EMPTY_PAYLOAD, type CollectiveCall } from "./messages.ts";

/** Where a region keeps the words of its meetings. */
export interface MeetingWords {
  readonly control: Int32Array;
  /** Index of the generation word. */
  readonly generation: number;
  /** Index of the count of ranks asleep in the futex on the generation word. */
  readonly sleepers: number;
  /** Index of communicator rank `rank`'s state word. */
  stateOf(rank: number): number;
}

/** How a rank of this host waits at a meeting: read once, when the region is set up. */
export interface MeetingWaitPolicy {
  /** Microseconds of polling the generation word. */
  readonly spinUs: number;
  /** Microseconds of polling it while yielding the core, before the futex. */
  readonly yieldPollUs: number;
  /** Microseconds of one sleep in the futex; 0: no futex. */
  readonly blockUs: number;
  readonly futex: Futex | undefined;
}

/** Generations count modulo this, so that ASLEEP(g) = g + 1 is never AWAKE and never wraps. */
const GENERATIONS = 1 << 30;
const AWAKE = 0;
/** How long a rank sleeps in the futex, in slices, before it sleeps on messages instead. */
const LONG_WAIT_MS = 20;
const WAKE_ALL = 0x7fffffff;

const asleep = (generation: number): number => generation + 1;

/** The waiting policy of this rank's host (see the module comment). */
export function meetingWaitPolicy(core: CommCore): MeetingWaitPolicy {
  const { engine } = core;
  watchFinalizedPeers(core);
  let localRanks = 0;
  for (let rank = 0; rank < engine.worldSize; rank++) if (engine.sameHost(rank)) localRanks++;
  // The addon is loaded only where waits may sleep in it (a rank that never does need not).
  const budgetUs = blockBudgetUs(localRanks, engine.worldSize);
  const futex = budgetUs > 0 ? futexAddon() : undefined;
  const blockUs = futex === undefined ? 0 : budgetUs;
  return { spinUs: spinBudgetUs(localRanks), yieldPollUs: blockUs > 0 ? yieldPollBudgetUs(localRanks) : 0, blockUs, futex };
}

/** The generation a rank reads before it arrives at a meeting. */
export function currentGeneration(words: MeetingWords): number {
  return Atomics.load(words.control, words.generation);
}

/**
 * Ends the meeting of `generation` (called by its last rank, once its work is done): every other
 * rank may go on. Resolves once the messages to ranks asleep on messages are sent; `undefined` if
 * none was.
 */
export function release(call: CollectiveCall, words: MeetingWords, generation: number, step: number, futex: Futex | undefined): Promise<unknown> | undefined {
  const { control } = words;
  Atomics.store(control, words.generation, (generation + 1) % GENERATIONS);
  // Sleepers in the futex may be there even where this rank's policy has none (their settings differ).
  if (Atomics.load(control, words.sleepers) > 0) (futex ?? futexAddon())?.wake(control, words.generation, WAKE_ALL);
  const { rank, size } = call.core;
  const sleeping = asleep(generation);
  let sends: Promise<void>[] | undefined;
  for (let r = 0; r < size; r++) {
    const state = words.stateOf(r);
    if (r === rank || Atomics.load(control, state) !== sleeping) continue;
    if (Atomics.compareExchange(control, state, sleeping, AWAKE) === sleeping) (sends ??= []).push(collSend(call, r, step, EMPTY_PAYLOAD));
  }
  return sends === undefined ? undefined : Promise.all(sends);
}

/**
 * Returns once the meeting of `generation` has been released; rejects when the call fails
 * meanwhile (another rank's failure notice).
 */
export async function waitForRelease(call: CollectiveCall, words: MeetingWords, generation: number, step: number, policy: MeetingWaitPolicy): Promise<void> {
  const { control } = words;
  const released = (): boolean => Atomics.load(control, words.generation) !== generation;
  if (released()) return;
  const wait = waiting.add({ call, released });
  try {
    await waitUntilReleased(call, words, generation, step, policy, released);
  } finally {
    waiting.remove(wait);
  }
}

/**
 * The meetings this process waits at (one per communicator at most), for `failIfMemberFinalized`:
 * a rank of the communicator that has finalized will never arrive.
 */
const waiting = new LiveList<{ call: CollectiveCall; released: () => boolean }>();
const watchedEngines = new WeakSet<object>();

/**
 * Fails `call`'s wait (ERR_PEER_FINALIZED) if a rank of its communicator has finalized and the
 * meeting is not released. Released first: a rank that released this meeting as its last arrival
 * and then finalized did so after its release, which this rank then sees.
 */
function failIfMemberFinalized(call: CollectiveCall, released: () => boolean): void {
  const { engine, group, rank } = call.core;
  if (engine.finalizedPeers.size === 0 || released()) return;
  const gone = group.findIndex((worldRank, r) => r !== rank && engine.finalizedPeers.has(worldRank));
  if (gone < 0) return;
  // After the grace in which a notice naming the real fault may still come (it fails the call
  // first), messages coming in meanwhile.
  const grace = delay(FINDER_GRACE_MS).then(() => {
    if (call.failure === undefined && !released()) call.fail(asCallError(new PeerFinalized(gone, [group[gone]!]), { rank, call: call.name }) as Error);
  });
  engine.pullUntil(grace);
}

function watchFinalizedPeers(core: CommCore): void {
  if (watchedEngines.has(core.engine)) return;
  watchedEngines.add(core.engine);
  core.engine.onPeerFinalized(() => {
    for (const wait of waiting.values()) failIfMemberFinalized(wait.call, wait.released);
  });
}

async function waitUntilReleased(call: CollectiveCall, words: MeetingWords, generation: number, step: number, policy: MeetingWaitPolicy, released: () => boolean): Promise<void> {
  const { control } = words;
  failIfMemberFinalized(call, released);
  if (call.failure !== undefined) throw call.failure;
  if (policy.spinUs > 0 && pollUntil(released, policy.spinUs)) return;
  // ibarrier runs barrier: a call whose name is not its operation's is a nonblocking one.
  if (policy.futex !== undefined && policy.blockUs > 0 && call.name === call.operation) {
    if (policy.yieldPollUs > 0 && yieldUntil(released, policy.yieldPollUs, policy.futex)) return;
    const giveUpAt = performance.now() + LONG_WAIT_MS;
    for (;;) {
      Atomics.add(control, words.sleepers, 1);
      policy.futex.wait(control, words.generation, generation, policy.blockUs);
      Atomics.sub(control, words.sleepers, 1);
      if (released()) return;
      await new Promise((resolve) => setImmediate(resolve));
      call.core.engine.poll();
      if (call.failure !== undefined) throw call.failure;
      if (released()) return;
      if (performance.now() >= giveUpAt) break;
    }
  }
  const state = words.stateOf(call.core.rank);
  const sleeping = asleep(generation);
  Atomics.store(control, state, sleeping);
  if (released() && Atomics.compareExchange(control, state, sleeping, AWAKE) === sleeping) return;
  // Ends when the call fails too (a failure notice, a rank of the communicator that finalized):
  // the region is not used again after a failed call, so the word may stay as it is.
  await collRecv(call, ANY_SOURCE, step);
}

/** Polls until `done`, for `budgetUs` at most; whether it is done. */
function pollUntil(done: () => boolean, budgetUs: number): boolean {
  const deadline = performance.now() + budgetUs / 1000;
  // Reading the clock costs more than a look at the word: look a few times per reading.
  for (let looks = 1; ; looks++) {
    if (done()) return true;
    if ((looks & 15) === 0 && performance.now() >= deadline) return false;
  }
}

/** Like pollUntil, giving the core away between looks. */
function yieldUntil(done: () => boolean, budgetUs: number, futex: Futex): boolean {
  const deadline = performance.now() + budgetUs / 1000;
  for (;;) {
    if (done()) return true;
    if (performance.now() >= deadline) return false;
    futex.yield();
  }
}
