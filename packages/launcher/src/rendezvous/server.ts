import { join } from "node:path";
import { Router } from "zeromq";
import {
  decodeWireupMessage,
  encodeWireupMessage,
  type LauncherToRank,
  type RankToLauncher,
  type TransportKind,
} from "@tsmpi/runtime/internal/wireup";
import { trace } from "../trace.ts";

/** What the rendezvous tells the launcher about; wire-up itself (put/fence) it handles alone. */
export interface RendezvousEvents {
  /** A rank called `abort(code)`: the job must end with `code`. */
  onAbort(rank: number, code: number, reason: string): void;
  /** A rank reported an uncaught exception (it exits 1 right after). */
  onError(rank: number, error: { message: string; stack: string }): void;
  /** A fence can never complete: `rank` has exited without joining it. */
  onStall(rank: number): void;
  /** A message that does not follow protocol.ts (a bug in a rank, not in the user program). */
  onProtocolError(detail: string): void;
}

/**
 * The launcher side of the PMI-like wire-up in protocol.ts: a ZeroMQ ROUTER holding the job's
 * key/value store. Ranks `put` their endpoints, then `fence`; when all `size` ranks have fenced,
 * every rank receives the whole store. Fences are reusable: each completed one starts a new
 * generation, so a runtime may fence again (e.g. after publishing more keys).
 */
export class RendezvousServer {
  readonly endpoint: string;
  private readonly kvs: Record<string, string> = {};
  /** Routing ids of ranks waiting in the current fence generation. */
  private readonly fenceWaiters = new Map<number, Buffer>();
  private readonly exitedRanks = new Set<number>();
  private stallReported = false;
  private fenceGeneration = 0;
  private closed = false;
  private sends: Promise<void> = Promise.resolve();
  private hellos = 0;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly socket: Router,
    private readonly size: number,
    private readonly events: RendezvousEvents,
  ) {
    this.endpoint = socket.lastEndpoint ?? "";
    this.loop = this.serve();
  }

  /** Binds the ROUTER: a socket file in the job dir for ipc, an ephemeral loopback port for tcp. */
  static async start(options: {
    size: number;
    transport: TransportKind;
    jobDir: string;
    events: RendezvousEvents;
  }): Promise<RendezvousServer> {
    // linger 0: at the end of the job nothing is worth delivering to ranks that are gone.
    const socket = new Router({ linger: 0 });
    const address =
      options.transport === "ipc" ? `ipc://${join(options.jobDir, "rendezvous")}` : "tcp://127.0.0.1:*";
    await socket.bind(address);
    return new RendezvousServer(socket, options.size, options.events);
  }

  /** Completed fence generations (for diagnostics and tests). */
  get completedFences(): number {
    return this.fenceGeneration;
  }

  /** Tells the server a rank process is gone, so a fence it never joined is reported as a stall. */
  rankExited(rank: number): void {
    this.exitedRanks.add(rank);
    this.checkStall();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    await this.loop;
  }

  private async serve(): Promise<void> {
    try {
      for await (const [routingId, payload] of this.socket) {
        if (routingId === undefined || payload === undefined) continue;
        this.handle(routingId, payload);
      }
    } catch (error) {
      // Closing the socket ends the receive loop with an error; only report others.
      if (!this.closed) this.events.onProtocolError(`rendezvous socket failed: ${String(error)}`);
    }
  }

  private handle(routingId: Buffer, payload: Buffer): void {
    let message: RankToLauncher;
    try {
      message = decodeWireupMessage<RankToLauncher>(payload);
    } catch {
      this.events.onProtocolError(`unreadable rendezvous message from ${routingId.toString()}`);
      return;
    }
    if (!Number.isInteger(message.rank) || message.rank < 0 || message.rank >= this.size) {
      this.events.onProtocolError(`rendezvous message with invalid rank ${String(message.rank)}`);
      return;
    }
    switch (message.type) {
      case "hello":
        this.hellos += 1;
        if (this.hellos === 1 || this.hellos === this.size) trace(`rank ${message.rank}: hello (${this.hellos} of ${this.size})`);
        return;
      case "finalize":
        return;
      case "put":
        this.kvs[message.key] = message.value;
        return;
      case "fence":
        this.fenceWaiters.set(message.rank, routingId);
        if (this.fenceWaiters.size === this.size) this.completeFence();
        else this.checkStall();
        return;
      case "abort":
        this.events.onAbort(message.rank, message.code, message.reason);
        this.reply(routingId, { type: "ack", of: "abort" });
        return;
      case "error":
        this.events.onError(message.rank, { message: message.message, stack: message.stack });
        this.reply(routingId, { type: "ack", of: "error" });
        return;
      default:
        this.events.onProtocolError(`unknown rendezvous message type ${JSON.stringify((message as { type: unknown }).type)}`);
    }
  }

  private completeFence(): void {
    const reply: LauncherToRank = { type: "fence", kvs: { ...this.kvs } };
    const waiters = [...this.fenceWaiters.values()];
    this.fenceWaiters.clear();
    this.fenceGeneration += 1;
    trace(`fence ${this.fenceGeneration} complete`);
    for (const routingId of waiters) this.reply(routingId, reply);
  }

  private reply(routingId: Buffer, message: LauncherToRank): void {
    const frame = encodeWireupMessage(message);
    // zeromq allows one send in flight per socket (EBUSY otherwise), hence the chain; a reply to a
    // rank that is gone meanwhile is dropped by the ROUTER, and a closed socket ends the job anyway.
    this.sends = this.sends.then(() => this.socket.send([routingId, frame])).catch(() => undefined);
  }

  private checkStall(): void {
    if (this.stallReported || this.fenceWaiters.size === 0) return;
    for (const rank of this.exitedRanks) {
      if (!this.fenceWaiters.has(rank)) {
        this.stallReported = true;
        this.events.onStall(rank);
        return;
      }
    }
  }
}
