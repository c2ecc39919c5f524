/**
 * The rank's side of the rendezvous in protocol.ts (PMI's role in MPICH and Open MPI), served by
 * tsmpirun or, on Kubernetes, by rank 0: publish this rank's endpoint, wait at the fence until every
 * rank has published, learn everyone's; later, with tsmpirun, report an abort or an uncaught
 * exception so that the launcher can end the job and say why.
 */
import * as zmq from "zeromq";
import { wireupFailed } from "../errors.ts";
import { curveClientOptions, type JobKey } from "./auth.ts";
import type { WireupStore } from "./store.ts";
import {
  decodeWireupMessage,
  encodeWireupMessage,
  rankRoutingId,
  type LauncherToRank,
  type RankStateReport,
  type RankToLauncher,
} from "./protocol.ts";

/** Long enough for a report sent just before `process.exit` to reach the launcher. */
const REPORT_LINGER_MS = 2_000;
/**
 * Failed CURVE handshakes in a row after which a key mismatch is certain: a client whose key the
 * server cannot decrypt sees only a broken connection (EPIPE), never a verdict, and libzmq retries
 * it every 100 ms; one could be a server going down, three are not.
 */
const HANDSHAKE_FAILURES_TO_GIVE_UP = 3;
/**
 * How often a rank looks for a launcher's request (`report-state`) once wired up. A pending
 * receive would keep the process alive past its program's end, so the socket is polled by an
 * unreferenced timer instead; a request waits at most this long, a rank pays a timer tick.
 */
const REQUEST_POLL_MS = 100;

/** How to connect; see {@link WireupClient.connect}. */
export interface WireupClientOptions {
  /** The rendezvous, `ipc://...` or `tcp://host:port` (a host name is resolved by libzmq, retried until it resolves). */
  endpoint: string;
  rank: number;
  size: number;
  hello: { pid: number; host: string };
  /** The job's key: CURVE to the rendezvous. */
  key: JobKey | undefined;
  /**
   * Watch the connection until the first fence completes: report on stderr every `progressMs` that
   * the rank is still waiting, and fail the fence when the rendezvous refuses this rank's key. For a
   * rendezvous nobody else watches (rank 0's); tsmpirun reports its own waits.
   */
  watch?: { progressMs: number } | undefined;
}

/** A rank's connection to the rendezvous: a {@link WireupStore}, and the channel of its last reports. */
export class WireupClient implements WireupStore {
  readonly rank: number;
  readonly size: number;
  readonly #socket: zmq.Dealer;
  readonly #endpoint: string;
  #kvs: Record<string, string> = {};
  #closed = false;
  /** Why wire-up cannot succeed, once the watch has found out (the socket is closed by then). */
  #failure: Error | undefined;
  #onFailure: ((error: Error) => void) | undefined;
  #stopWatching: () => void = () => undefined;
  #stopServing: () => void = () => undefined;
  #sends: Promise<void> = Promise.resolve();
  /** A receive of the request poll in progress: a second receive at once would fail (EBUSY). */
  #polling: Promise<void> | undefined;

  private constructor(socket: zmq.Dealer, options: WireupClientOptions) {
    this.#socket = socket;
    this.#endpoint = options.endpoint;
    this.rank = options.rank;
    this.size = options.size;
  }

  /** Connects (libzmq connects in the background: this does not wait for the server) and says hello. */
  static async connect(options: WireupClientOptions): Promise<WireupClient> {
    const { key, rank } = options;
    const curve = key === undefined ? {} : curveClientOptions(key);
    const socket = new zmq.Dealer({ ...curve, routingId: rankRoutingId(rank), linger: REPORT_LINGER_MS });
    const client = new WireupClient(socket, options);
    // Before connect(): the observer sees only events that happen after it exists.
    if (options.watch !== undefined) client.#watch(options.watch.progressMs, key !== undefined);
    socket.connect(options.endpoint);
    await client.send({ type: "hello", rank, ...options.hello });
    return client;
  }

  send(message: RankToLauncher): Promise<void> {
    if (this.#closed) return Promise.resolve();
    // zeromq allows one send in flight per socket (EBUSY otherwise): a state reply may overlap another.
    const sent = this.#sends.then(() => this.#socket.send(encodeWireupMessage(message)));
    this.#sends = sent.catch(() => undefined);
    return sent;
  }

  /**
   * Sends a last report (`error`, `abort` or `finalize`) and resolves when the launcher acknowledges it: the
   * caller exits right after, and zeromq only queues a send, so without the ack the report could
   * die with the process.
   */
  async report(message: Extract<RankToLauncher, { type: "error" | "abort" | "finalize" }>): Promise<void> {
    this.#stopServing();
    await this.#polling;
    await this.send(message);
    for (;;) {
      const [frame] = await this.#socket.receive();
      const reply = frame === undefined ? undefined : decodeWireupMessage<LauncherToRank>(frame);
      if (reply?.type === "ack" && reply.of === message.type) return;
    }
  }

  put(key: string, value: string): Promise<void> {
    return this.send({ type: "put", rank: this.rank, key, value });
  }

  /** Resolves once all ranks have reached the fence; {@link WireupClient.get} then reads what they put. */
  async fence(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    const failed = new Promise<never>((_, reject) => (this.#onFailure = reject));
    // Whichever loses the race below must not become an unhandled rejection.
    failed.catch(() => undefined);
    let frames: Buffer[];
    try {
      await this.send({ type: "fence", rank: this.rank });
      const received = this.#socket.receive();
      received.catch(() => undefined);
      frames = await Promise.race([received, failed]);
    } catch (error) {
      // A refused key closes the socket, which also fails the receive: the refusal is the news.
      throw this.#failure ?? error;
    } finally {
      this.#onFailure = undefined;
      this.#stopWatching();
    }
    const [frame] = frames;
    const reply = frame === undefined ? undefined : decodeWireupMessage<LauncherToRank>(frame);
    if (reply?.type !== "fence") {
      throw wireupFailed({ rank: this.rank, call: "init" }, "unexpected reply from the rendezvous");
    }
    this.#kvs = reply.kvs;
  }

  async get(key: string): Promise<string | undefined> {
    return this.#kvs[key];
  }

  /** Tells the rendezvous this rank will not use it again (rank 0's closes when all have), and closes. */
  async leave(): Promise<void> {
    await this.send({ type: "leave", rank: this.rank });
    this.close();
  }

  /**
   * Answers the launcher's `report-state` requests with `describe()` from now on (after wire-up:
   * before it, the fence's receive would compete for the replies).
   */
  serveStateRequests(describe: () => RankStateReport, onPeerFinalized: (rank: number) => void): void {
    const timer = setInterval(() => {
      if (this.#polling !== undefined || this.#closed || !this.#socket.readable) return;
      this.#polling = this.#answerRequests(describe, onPeerFinalized).finally(() => (this.#polling = undefined));
    }, REQUEST_POLL_MS);
    timer.unref();
    this.#stopServing = () => clearInterval(timer);
  }

  async #answerRequests(describe: () => RankStateReport, onPeerFinalized: (rank: number) => void): Promise<void> {
    try {
      while (!this.#closed && this.#socket.readable) {
        const [frame] = await this.#socket.receive();
        const request = frame === undefined ? undefined : decodeWireupMessage<LauncherToRank>(frame);
        if (request?.type === "report-state") await this.send({ type: "state", rank: this.rank, request: request.request, state: describe() });
        else if (request?.type === "peer-finalized") onPeerFinalized(request.rank);
      }
    } catch {
      // The socket closed under the poll (finalize): nobody is left to answer.
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopServing();
    this.#stopWatching();
    this.#socket.close();
  }

  /**
   * Follows the socket's events until the first fence: whether a handshake has succeeded (for the
   * progress reports) and whether the server refuses this rank's key. The observer is never closed
   * before its socket: libzmq writes each event to the monitor with a blocking send (from its I/O
   * thread, and from its reaper thread as the socket is destroyed), and once the reading end is
   * closed such a send never returns, freezing every ZeroMQ socket of the process and its exit. So
   * after the first fence the events are read and ignored until the socket's close ends the
   * monitor (zeromq.js closes the observer on that last event). The pending read keeps the process
   * alive meanwhile: in a rank0 job each rank closes this socket right after wire-up (leave).
   */
  #watch(progressMs: number, keyed: boolean): void {
    const events = this.#socket.events;
    const startedMs = Date.now();
    let connected = false;
    let failures = 0;
    const timer = setInterval(() => {
      const waited = `${Math.round((Date.now() - startedMs) / 1000)} s`;
      process.stderr.write(
        connected
          ? `tsmpi: rank ${this.rank}: at the rendezvous ${this.#endpoint}, waiting for the other ranks (${waited})\n`
          : `tsmpi: rank ${this.rank}: waiting for the rendezvous at ${this.#endpoint} (${waited})\n`,
      );
    }, progressMs);
    // The pending receive of the fence keeps the process alive while it matters; the timer need not.
    timer.unref();
    let watching = true;
    this.#stopWatching = () => {
      clearInterval(timer);
      watching = false;
      this.#stopWatching = () => undefined;
    };
    const refused = (times: string): Error =>
      wireupFailed(
        { rank: this.rank, call: "init" },
        `the rendezvous at ${this.#endpoint} refused this rank's ${keyed ? "CURVE " : ""}handshake${times}: ` +
          (keyed ? "this rank's key (TSMPI_KEY_FILE) is not the job's" : "the rendezvous expects the job's key (TSMPI_KEY_FILE) and this rank has none"),
      );
    void (async () => {
      try {
        while (!events.closed) {
          const event = await events.receive();
          if (!watching) continue;
          switch (event.type) {
            case "handshake":
              connected = true;
              failures = 0;
              break;
            case "disconnect":
              connected = false;
              break;
            case "handshake:error:auth":
              // The server's ZAP handler said no: a verdict, not a fault to retry.
              return this.#fail(refused(""));
            case "handshake:error:protocol":
            case "handshake:error:other":
              failures += 1;
              if (failures >= HANDSHAKE_FAILURES_TO_GIVE_UP) return this.#fail(refused(` ${failures} times`));
              break;
          }
        }
      } catch {
        // The socket's close ends the monitor, which rejects the receive in progress: the watch is over.
      }
    })();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    // Closed so that libzmq stops retrying and no receive stays pending; the fence sees the failure.
    this.close();
    this.#onFailure?.(error);
  }
}
