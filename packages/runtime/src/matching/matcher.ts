/**
 * MPI matching (Open MPI pml/ob1's role): a message matches a receive on the same context when the
 * receive's source and tag are equal to the message's or wildcards. Receives are matched in the
 * order they were posted and messages in the order they arrived, which together with the
 * transport's per-sender ordering gives MPI's non-overtaking rule.
 */
import { ANY_SOURCE, ANY_TAG } from "../constants.ts";
import type { Envelope, PayloadFormat } from "../wire/header.ts";

export interface IncomingMessage extends Envelope {
  format: PayloadFormat;
  elementKind: number;
  payload: Buffer;
}

export interface Pattern {
  source: number;
  tag: number;
}

interface Waiter extends Pattern {
  resolve: (message: IncomingMessage) => void;
  /** Ends the wait without a message (failWaiting). */
  reject: (error: Error) => void;
  /** The pattern object the receive was posted with: what `withdrawReceive` finds it by. */
  posted: Pattern;
}

/**
 * What a withdrawn (cancelled) receive is resolved with instead of a message: resolving it, rather
 * than forgetting it, lets whoever posted it release what it holds (the engine's `want`).
 */
export const WITHDRAWN: IncomingMessage = Object.freeze({
  context: -1,
  source: -1,
  tag: -1,
  collective: 0,
  sequence: 0,
  signature: 0,
  format: 0,
  elementKind: 0,
  payload: Buffer.alloc(0),
});

/**
 * Sees every message of a context as it arrives, before matching (collective mismatch checks);
 * returns `true` to take the message itself (it is then neither matched nor kept).
 */
export type ArrivalWatcher = (message: IncomingMessage) => boolean;

class ContextQueues {
  watcher: ArrivalWatcher | undefined;
  /** Receives waiting for a message, in posting order. */
  readonly posted: Waiter[] = [];
  /** Probes waiting for a message; they look without taking. */
  readonly probes: Waiter[] = [];
  /** Messages that arrived before any receive wanted them, in arrival order. */
  readonly unexpected: IncomingMessage[] = [];
}

function matches(pattern: Pattern, message: Envelope): boolean {
  return (pattern.source === ANY_SOURCE || pattern.source === message.source) && (pattern.tag === ANY_TAG || pattern.tag === message.tag);
}

function findIndex<T extends Envelope | Pattern>(list: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = 0; i < list.length; i++) if (predicate(list[i]!)) return i;
  return -1;
}

export class Matcher {
  readonly #contexts = new Map<number, ContextQueues>();

  #queues(context: number): ContextQueues {
    let queues = this.#contexts.get(context);
    if (queues === undefined) this.#contexts.set(context, (queues = new ContextQueues()));
    return queues;
  }

  /** A message came in: hand it to the first posted receive it matches, or keep it. */
  arrive(message: IncomingMessage): void {
    const queues = this.#queues(message.context);
    if (queues.watcher?.(message) === true) return;
    const receive = findIndex(queues.posted, (waiter) => matches(waiter, message));
    if (receive >= 0) {
      queues.posted.splice(receive, 1)[0]!.resolve(message);
      return;
    }
    queues.unexpected.push(message);
    for (let i = 0; i < queues.probes.length; ) {
      const probe = queues.probes[i]!;
      if (matches(probe, message)) {
        queues.probes.splice(i, 1);
        probe.resolve(message);
      } else i++;
    }
  }

  /** Takes the oldest kept message matching the pattern, if there is one. */
  take(context: number, pattern: Pattern): IncomingMessage | undefined {
    const queues = this.#contexts.get(context);
    if (queues === undefined) return undefined;
    const index = findIndex(queues.unexpected, (message) => matches(pattern, message));
    return index < 0 ? undefined : queues.unexpected.splice(index, 1)[0];
  }

  /** The oldest kept message matching the pattern, left in place. */
  peek(context: number, pattern: Pattern): IncomingMessage | undefined {
    const queues = this.#contexts.get(context);
    if (queues === undefined) return undefined;
    const index = findIndex(queues.unexpected, (message) => matches(pattern, message));
    return index < 0 ? undefined : queues.unexpected[index];
  }

  /** Waits for the next matching message to arrive (call `take` first). */
  postReceive(context: number, pattern: Pattern, resolve: (message: IncomingMessage) => void, reject: (error: Error) => void): void {
    this.#queues(context).posted.push({ source: pattern.source, tag: pattern.tag, resolve, reject, posted: pattern });
  }

  /**
   * Withdraws the receive posted with this very `pattern` object, if no message has matched it
   * yet: it is resolved with WITHDRAWN, and the message it would have matched stays for others.
   * False if it had already matched (or was never posted).
   */
  withdrawReceive(context: number, pattern: Pattern): boolean {
    const queues = this.#contexts.get(context);
    if (queues === undefined) return false;
    const index = queues.posted.findIndex((waiter) => waiter.posted === pattern);
    if (index < 0) return false;
    queues.posted.splice(index, 1)[0]!.resolve(WITHDRAWN);
    return true;
  }

  /** Waits for a matching message to be kept, without taking it (call `peek` first). */
  postProbe(context: number, pattern: Pattern, resolve: (message: IncomingMessage) => void, reject: (error: Error) => void): void {
    this.#queues(context).probes.push({ source: pattern.source, tag: pattern.tag, resolve, reject, posted: pattern });
  }

  /**
   * Ends every waiting receive and probe for which `hopeless` gives an error (a message it could
   * match can no longer come): each rejects with that error and leaves the queues.
   */
  failWaiting(hopeless: (context: number, pattern: Pattern) => Error | undefined): void {
    for (const [context, queues] of this.#contexts) {
      for (const waiters of [queues.posted, queues.probes]) {
        for (let i = 0; i < waiters.length; ) {
          const error = hopeless(context, waiters[i]!);
          if (error === undefined) i++;
          else waiters.splice(i, 1)[0]!.reject(error);
        }
      }
    }
  }

  /** Kept (unreceived) messages of a context that satisfy `predicate`, oldest first. */
  keptWhere(context: number, predicate: (message: IncomingMessage) => boolean): IncomingMessage[] {
    return this.#contexts.get(context)?.unexpected.filter(predicate) ?? [];
  }

  /** Discards the kept messages of a context that satisfy `predicate`. */
  discardWhere(context: number, predicate: (message: IncomingMessage) => boolean): void {
    const queues = this.#contexts.get(context);
    if (queues === undefined) return;
    for (let i = queues.unexpected.length - 1; i >= 0; i--) if (predicate(queues.unexpected[i]!)) queues.unexpected.splice(i, 1);
  }

  /** Every receive waiting for a message, by context (what a collective waits for, in the state report). */
  postedReceives(): { context: number; source: number; tag: number }[] {
    const posted: { context: number; source: number; tag: number }[] = [];
    for (const [context, queues] of this.#contexts) for (const waiter of queues.posted) posted.push({ context, source: waiter.source, tag: waiter.tag });
    return posted;
  }

  watch(context: number, watcher: ArrivalWatcher): void {
    this.#queues(context).watcher = watcher;
  }

  /** Forgets everything about a context (a freed communicator). */
  dropContext(context: number): void {
    this.#contexts.delete(context);
  }
}
