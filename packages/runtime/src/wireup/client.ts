/**
 * The rank's side of the rendezvous in protocol.ts (PMI's role in MPICH and Open MPI), served by
 * tsmpirun: publish this rank's endpoint, wait at the fence until every
 * rank has published, learn everyone's; later, report an abort or an uncaught
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
  type RankToLauncher,
} from "./protocol.ts";

/** Long enough for a report sent just before `process.exit` to reach the launcher. */
const REPORT_LINGER_MS = 2_000;
/** How to connect; see {@link WireupClient.connect}. */
export interface WireupClientOptions {
  /** The rendezvous, `ipc://...` or `tcp://host:port` (a host name is resolved by libzmq, retried until it resolves). */
  endpoint: string;
  rank: number;
  size: number;
  hello: { pid: number; host: string };
  /** The job's key: CURVE to the rendezvous. */
  key: JobKey | undefined;
}

/** A rank's connection to the rendezvous: a {@link WireupStore}, and the channel of its last reports. */
export class WireupClient implements WireupStore {
  readonly rank: number;
  readonly size: number;
  readonly #socket: zmq.Dealer;
  readonly #endpoint: string;
  #kvs: Record<string, string> = {};
  #closed = false;

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
    socket.connect(options.endpoint);
    await client.send({ type: "hello", rank, ...options.hello });
    return client;
  }

  send(message: RankToLauncher): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#socket.send(encodeWireupMessage(message));
  }

  /**
   * Sends a last report (`error` or `abort`) and resolves when the launcher acknowledges it: the
   * caller exits right after, and zeromq only queues a send, so without the ack the report could
   * die with the process.
   */
  async report(message: Extract<RankToLauncher, { type: "error" | "abort" }>): Promise<void> {
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
    await this.send({ type: "fence", rank: this.rank });
    const frames = await this.#socket.receive();
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
