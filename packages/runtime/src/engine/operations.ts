/**
 * The calls this process is inside of right now (blocking receives, probes, waits, collectives)
 * and the nonblocking requests it has pending, for the state report tsmpirun prints on --timeout
 * and SIGUSR1 (Open MPI's --report-state-on-timeout). One registry per process, like the engine.
 * Cheap on purpose: one small object and a link in a list per call; a stack is captured only when
 * the launcher asked for stack traces (TSMPI_STACK_TRACES=1), since `new Error().stack` is not.
 * Internal to the runtime, not part of its API.
 */
import { stackTracesWanted } from "../env.ts";
import { LiveList, type Link } from "../util/live-list.ts";

/** One call or request in progress. */
export interface OperationInProgress {
  /** The call as the user made it: `recv`, `irecv`, `barrier`, `iallreduce`, `wait`. */
  readonly call: string;
  /** The communicator's point-to-point context id (0 for the world); -1 when there is none (`wait`). */
  readonly context: number;
  readonly commSize: number;
  /** Communicator rank it receives from, ANY_SOURCE, or -1 when it names no source. */
  readonly source: number;
  readonly tag: number;
  /** The collective call's number on its communicator; 0 for point-to-point calls. */
  readonly sequence: number;
  readonly algorithm: string;
  /** A nonblocking call's request (irecv, ibarrier), listed as pending rather than as blocking. */
  readonly request: boolean;
  /** Date.now() at the start: comparable with the reporting process's clock only roughly, hence ms. */
  readonly startedMs: number;
  readonly stack: string | undefined;
}

/** What only some calls have: a collective's number and algorithm; whether it is a request. */
export interface OperationDetails {
  sequence?: number;
  algorithm?: string;
  request?: boolean;
}

const captureStacks = stackTracesWanted();

/** What `begin` returns, for `end` and `track`. */
export type OperationTicket = Link<OperationInProgress>;

/** The process-wide list of calls in progress. */
class OperationRegistry {
  readonly #operations = new LiveList<OperationInProgress>();

  /** Records a call; pass the result to {@link OperationRegistry.end} once it completes. */
  begin(call: string, context: number, commSize: number, source: number, tag: number, details: OperationDetails = {}): OperationTicket {
    const { sequence = 0, algorithm = "", request = false } = details;
    return this.#operations.add({
      call,
      context,
      commSize,
      source,
      tag,
      sequence,
      algorithm,
      request,
      startedMs: Date.now(),
      stack: captureStacks ? new Error().stack : undefined,
    });
  }

  end(ticket: OperationTicket): void {
    this.#operations.remove(ticket);
  }

  /** Records a call for as long as `promise` is pending; returns `promise`. */
  track<T>(promise: Promise<T>, ticket: OperationTicket): Promise<T> {
    const end = (): void => this.end(ticket);
    promise.then(end, end);
    return promise;
  }

  /** Everything in progress, oldest first. */
  list(): OperationInProgress[] {
    return this.#operations.values();
  }
}

/** This process's calls in progress. */
export const operationsInProgress = new OperationRegistry();
