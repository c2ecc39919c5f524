import { join } from "node:path";
import { Router } from "zeromq";
import { curveServerOptions, ZapHandler, type JobKey } from "./auth.ts";
import {
  decodeWireupMessage,
  encodeWireupMessage,
  rankRoutingId,
  type LauncherToRank,
  type RankCommTrace,
  type RankStateReport,
  type RankToLauncher,
} from "./protocol.ts";

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
  /** A connection without the job's key was refused by the ZAP handler (jobs with a key only). */
  onRefused?(address: string): void;
  /** A client failed the CURVE handshake: it does not know the job's key (jobs with a key only). */
  onHandshakeFailed?(): void;
  /** A rank's answer to {@link RendezvousServer.requestState}. */
  onState?(rank: number, request: number, state: RankStateReport): void;
  /** A rank's communication trace (`tsmpirun --trace`), sent as it leaves the job. */
  onTrace?(rank: number, host: string, trace: RankCommTrace): void;
  /** Trace lines (tsmpirun's TSMPIRUN_TRACE). */
  trace?(line: string): void;
}

/** Where the rendezvous listens: a Unix socket in the job dir (one host), or tcp. */
export type RendezvousBinding =
  | { kind: "ipc"; jobDir: string }
  /** `address` "0.0.0.0" listens on every interface; `key`: CURVE and the job-key-only ZAP handler. */
  | { kind: "tcp"; address: string; port?: number; key?: JobKey | undefined };

/**
 * The server side of the PMI-like wire-up in protocol.ts (tsmpirun's, or rank 0's on Kubernetes):
 * a ZeroMQ ROUTER holding the job's key/value store. Ranks `put` their endpoints, then `fence`;
 * when all `size` ranks have fenced, every rank receives the whole store. Fences are reusable: each completed one starts a new
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
  private readonly joined = new Set<number>();
  private readonly left = new Set<number>();
  private readonly finalizedRanks = new Set<number>();
  private readonly loop: Promise<void>;
  private markEveryoneLeft: () => void = () => undefined;
  /** Resolves once every rank has sent `leave` (see {@link RendezvousServer.everyoneLeft}). */
  private readonly allLeft = new Promise<void>((resolve) => (this.markEveryoneLeft = resolve));

  private constructor(
    private readonly socket: Router,
    private readonly size: number,
    private readonly events: RendezvousEvents,
    private readonly zap: ZapHandler | undefined,
  ) {
    this.endpoint = socket.lastEndpoint ?? "";
    this.loop = this.serve();
  }

  /** Binds the ROUTER (see RendezvousBinding); a tcp port of 0 or none is chosen by the kernel. */
  static async start(options: { size: number; bind: RendezvousBinding; events: RendezvousEvents }): Promise<RendezvousServer> {
    const { bind, events } = options;
    const key = bind.kind === "tcp" ? bind.key : undefined;
    // Before the CURVE socket exists: libzmq asks the ZAP handler about every connection to it.
    const zap = key === undefined ? undefined : await ZapHandler.start(key, (refusal) => events.onRefused?.(refusal.address));
    // linger 0: at the end of the job nothing is worth delivering to ranks that are gone.
    const socket = new Router({ linger: 0, ...(key === undefined ? {} : curveServerOptions(key)) });
    const address = bind.kind === "ipc" ? `ipc://${join(bind.jobDir, "rendezvous")}` : `tcp://${bind.address}:${bind.port ?? "*"}`;
    await socket.bind(address);
    if (key !== undefined) reportHandshakeFailures(socket, events);
    return new RendezvousServer(socket, options.size, events, zap);
  }

  /** The tcp port (tcp only). */
  get port(): number | undefined {
    const match = /:(\d+)$/.exec(this.endpoint);
    return match === null ? undefined : Number(match[1]);
  }

  /** Completed fence generations (for diagnostics and tests). */
  get completedFences(): number {
    return this.fenceGeneration;
  }

  /**
   * Ranks that have not reached the first fence yet (for progress reports while wire-up waits),
   * and whether each has connected at all. Empty once the first fence has completed.
   */
  waitingFor(): { rank: number; connected: boolean }[] {
    if (this.fenceGeneration > 0) return [];
    const waiting: { rank: number; connected: boolean }[] = [];
    for (let rank = 0; rank < this.size; rank++) {
      if (!this.fenceWaiters.has(rank)) waiting.push({ rank, connected: this.joined.has(rank) });
    }
    return waiting;
  }

  /**
   * Resolves once every rank has said it will not use the rendezvous again (`leave`, sent once its
   * first fence has answered): from then on closing the server loses no reply. Only ranks of a job
   * whose rank 0 serves the rendezvous send `leave`; tsmpirun's server never sees one.
   */
  everyoneLeft(): Promise<void> {
    return this.allLeft;
  }

  /** Whether `rank` has said hello: it has called init. */
  hasJoined(rank: number): boolean {
    return this.joined.has(rank);
  }

  /** Whether `rank` has said it called finalize (it is acknowledged before the rank goes on). */
  hasFinalized(rank: number): boolean {
    return this.finalizedRanks.has(rank);
  }

  /** Tells the server a rank process is gone, so a fence it never joined is reported as a stall. */
  rankExited(rank: number): void {
    this.exitedRanks.add(rank);
    this.checkStall();
  }

  /** Asks a rank what it is doing; the answer comes to `events.onState` (a rank not wired up yet never answers). */
  requestState(rank: number, request: number): void {
    this.reply(Buffer.from(rankRoutingId(rank)), { type: "report-state", request });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.zap?.close();
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
        this.joined.add(message.rank);
        if (this.hellos === 1 || this.hellos === this.size) this.events.trace?.(`rank ${message.rank}: hello (${this.hellos} of ${this.size})`);
        return;
      case "finalize":
        this.finalizedRanks.add(message.rank);
        this.reply(routingId, { type: "ack", of: "finalize" });
        return;
      case "finalizing":
        for (const rank of message.to) {
          if (Number.isInteger(rank) && rank >= 0 && rank < this.size && rank !== message.rank) this.reply(Buffer.from(rankRoutingId(rank)), { type: "peer-finalized", rank: message.rank });
        }
        return;
      case "leave":
        this.left.add(message.rank);
        if (this.left.size === this.size) this.markEveryoneLeft();
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
      case "state":
        this.events.onState?.(message.rank, message.request, message.state);
        return;
      case "trace":
        this.events.onTrace?.(message.rank, message.host, message.trace);
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
    this.events.trace?.(`fence ${this.fenceGeneration} complete`);
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

/**
 * A client that does not know the server's key (a plain socket, CURVE towards another key) fails
 * in the CURVE handshake, before the ZAP handler is asked: the socket's monitor is the only place
 * that sees it. The monitor keeps a receive pending, which a launcher (or a rank serving the
 * rendezvous) can afford: it closes this socket when the job ends.
 */
function reportHandshakeFailures(socket: Router, events: RendezvousEvents): void {
  // libzmq names only the listening endpoint here, not the peer.
  const report = (): void => events.onHandshakeFailed?.();
  socket.events.on("handshake:error:protocol", report);
  socket.events.on("handshake:error:other", report);
}
