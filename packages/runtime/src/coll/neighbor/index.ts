/**
 * Neighbourhood collectives (MPI_Neighbor_alltoall, MPI_Neighbor_allgather and their v forms) on
 * any topology: a Cartesian grid or a distributed graph gives its neighbourhood (neighbourhood.ts),
 * and one algorithm runs them all (linear.ts). Each entry point checks and encodes synchronously,
 * so a bad call throws before anything is sent and the caller's data may change as soon as it
 * returns.
 * Internal to the runtime, not part of its API.
 */
import type { CollectiveCallName } from "../../core/collective-ids.ts";
import type { CommCore } from "../../core/comm-core.ts";
import { badArgument, collectiveMismatch, invalidArguments } from "../../errors.ts";
import type { IncomingMessage } from "../../matching/matcher.ts";
import type { EncodedPayload } from "../../wire/codec.ts";
import { isTypedArray, type AnyTypedArray } from "../../wire/typed-array.ts";
import { decodeMessage, encodeForSend } from "../../core/payload.ts";
import { collective } from "../collective.ts";
import type { CollectiveCall } from "../messages.ts";
import { allocateLike, blockPayload } from "../typed-blocks.ts";
import { neighborLinear } from "./linear.ts";
import type { Neighbourhood } from "./neighbourhood.ts";

const algorithms = { linear: neighborLinear };

type Table = "neighborAlltoall" | "neighborAllgather" | "neighborAllgatherv" | "neighborAlltoallv";

/** Runs `payloads()` (checks and encodes, once the call is numbered) through the exchange. */
function neighbourExchange<T>(
  core: CommCore,
  neighbourhood: Neighbourhood,
  call: CollectiveCallName,
  table: Table,
  payloads: () => EncodedPayload[],
  results: (running: CollectiveCall, messages: (IncomingMessage | undefined)[]) => T,
): Promise<T> {
  let encoded: EncodedPayload[];
  const plan = () => {
    encoded = payloads();
    return { table, input: { size: core.size }, algorithms } as const;
  };
  return collective(core, call, plan, async (algorithm, running) => results(running, await algorithm.run(running, neighbourhood, encoded)));
}

function decodeAll<T>(running: CollectiveCall, messages: (IncomingMessage | undefined)[]): (T | undefined)[] {
  return messages.map((message) => (message === undefined ? undefined : decodeMessage<T>(running.core, running.name, message)));
}

/**
 * MPI_Neighbor_alltoall: `items[i]` goes to out-neighbour i; entry j of the result is what
 * in-neighbour j sent this way, `undefined` for PROC_NULL.
 */
export function neighborAlltoall<T>(core: CommCore, neighbourhood: Neighbourhood, items: readonly T[], call: CollectiveCallName): Promise<(T | undefined)[]> {
  const count = neighbourhood.destinations.length;
  const payloads = (): EncodedPayload[] => {
    if (!Array.isArray(items) || items.length !== count) {
      throw badArgument({ rank: core.rank, call }, "items", items, `an array of ${count} items (${neighbourhood.destinationOrder})`);
    }
    return items.map((item) => encodeForSend(core, call, item));
  };
  return neighbourExchange(core, neighbourhood, call, "neighborAlltoall", payloads, decodeAll<T>);
}

/** MPI_Neighbor_allgather: `item` goes to every out-neighbour; entry j is in-neighbour j's item. */
export function neighborAllgather<T>(core: CommCore, neighbourhood: Neighbourhood, item: T, call: CollectiveCallName): Promise<(T | undefined)[]> {
  const payloads = (): EncodedPayload[] => {
    const payload = encodeForSend(core, call, item);
    return neighbourhood.destinations.map(() => payload);
  };
  return neighbourExchange(core, neighbourhood, call, "neighborAllgather", payloads, decodeAll<T>);
}

function checkTypedArray(core: CommCore, call: string, data: unknown): asserts data is AnyTypedArray {
  if (!isTypedArray(data)) throw badArgument({ rank: core.rank, call }, "data", data, "a typed array");
}

/** ERR_ARG unless `counts` holds one element count per neighbour; returns their sum. */
function checkCounts(core: CommCore, call: string, argument: string, counts: unknown, length: number, order: string): number {
  if (!Array.isArray(counts) || counts.length !== length) {
    throw badArgument({ rank: core.rank, call }, argument, counts, `an array of ${length} element counts (${order})`);
  }
  let total = 0;
  for (const [index, count] of counts.entries()) {
    if (!Number.isInteger(count) || (count as number) < 0) throw badArgument({ rank: core.rank, call }, `${argument}[${index}]`, count, "an integer >= 0");
    total += count as number;
  }
  return total;
}

/** A v call's receive counts, checked, and their sum. */
interface ReceiveCounts {
  /** A copy: the nonblocking form's caller may change its array before the call completes. */
  counts: readonly number[];
  total: number;
}

function checkReceiveCounts(core: CommCore, call: string, neighbourhood: Neighbourhood, recvCounts: readonly number[]): ReceiveCounts {
  const total = checkCounts(core, call, "recvCounts", recvCounts, neighbourhood.sources.length, neighbourhood.sourceOrder);
  return { counts: [...recvCounts], total };
}

/**
 * The received blocks laid end to end in in-neighbour order, `counts[j]` elements from
 * in-neighbour j (zeros for PROC_NULL). A block of another kind or length means the neighbour's
 * counts or data disagree with this rank's: ERR_COLL_MISMATCH naming both.
 */
function packBlocks(running: CollectiveCall, messages: (IncomingMessage | undefined)[], like: AnyTypedArray, { counts: recvCounts, total }: ReceiveCounts): AnyTypedArray {
  const result = allocateLike(like, total);
  let offset = 0;
  for (const [index, message] of messages.entries()) {
    const expected = recvCounts[index]!;
    if (message !== undefined) {
      const block = decodeMessage<unknown>(running.core, running.name, message);
      if (!isTypedArray(block) || block.constructor !== like.constructor || block.length !== expected) {
        const got = isTypedArray(block) ? `${block.constructor.name}(${block.length})` : typeof block;
        throw collectiveMismatch(
          { rank: running.core.rank, call: running.name },
          `in-neighbour ${index} (rank ${message.source}) sent ${got} but recvCounts[${index}] expects ${like.constructor.name}(${expected}): ` +
            `a neighbour's send count and data kind must match this rank's receive count and data`,
          "recvCounts",
        );
      }
      result.set(block as never, offset);
    }
    offset += expected;
  }
  return result;
}

/**
 * MPI_Neighbor_allgatherv on typed arrays: `data` goes to every out-neighbour; the result, of
 * `data`'s kind, holds `recvCounts[j]` elements from in-neighbour j, in in-neighbour order.
 */
export function neighborAllgatherv<T extends AnyTypedArray>(
  core: CommCore,
  neighbourhood: Neighbourhood,
  data: T,
  recvCounts: readonly number[],
  call: CollectiveCallName,
): Promise<T> {
  let receiving: ReceiveCounts;
  const payloads = (): EncodedPayload[] => {
    checkTypedArray(core, call, data);
    receiving = checkReceiveCounts(core, call, neighbourhood, recvCounts);
    const payload = encodeForSend(core, call, data);
    return neighbourhood.destinations.map(() => payload);
  };
  return neighbourExchange(core, neighbourhood, call, "neighborAllgatherv", payloads, (running, messages) => packBlocks(running, messages, data, receiving) as T);
}

/**
 * MPI_Neighbor_alltoallv on typed arrays: `data` is cut into consecutive blocks of `sendCounts[i]`
 * elements, block i to out-neighbour i; the result, of `data`'s kind, holds `recvCounts[j]`
 * elements from in-neighbour j, in in-neighbour order.
 */
export function neighborAlltoallv<T extends AnyTypedArray>(
  core: CommCore,
  neighbourhood: Neighbourhood,
  data: T,
  sendCounts: readonly number[],
  recvCounts: readonly number[],
  call: CollectiveCallName,
): Promise<T> {
  let receiving: ReceiveCounts;
  const payloads = (): EncodedPayload[] => {
    checkTypedArray(core, call, data);
    const sending = checkCounts(core, call, "sendCounts", sendCounts, neighbourhood.destinations.length, neighbourhood.destinationOrder);
    if (sending !== data.length) {
      throw invalidArguments({ rank: core.rank, call }, `sendCounts add up to ${sending} elements but data holds ${data.length}`, "sendCounts");
    }
    receiving = checkReceiveCounts(core, call, neighbourhood, recvCounts);
    let start = 0;
    // Views, not copies: every send is posted before the call returns, and posting copies.
    return sendCounts.map((count) => blockPayload(data, start, (start += count)));
  };
  return neighbourExchange(core, neighbourhood, call, "neighborAlltoallv", payloads, (running, messages) => packBlocks(running, messages, data, receiving) as T);
}
