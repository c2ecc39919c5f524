/**
 * The rank's side of the rendezvous with tsmpirun (PMI's role in MPICH and Open MPI): publish this
 * rank's endpoint, wait at the fence until every rank has published, learn everyone's; later, report
 * an abort or an uncaught exception so that the launcher can end the job and say why.
 */
import * as zmq from "zeromq";
import { wireupFailed } from "../errors.ts";
import { curveClientOptions, type JobKey } from "./auth.ts";
import type { JobEnv } from "../env.ts";
import {
  decodeWireupMessage,
  encodeWireupMessage,
  rankRoutingId,
  type LauncherToRank,
  type RankToLauncher,
} from "./protocol.ts";

/** Long enough for a report sent just before `process.exit` to reach the launcher. */
const REPORT_LINGER_MS = 2_000;

export class WireupClient {
  readonly #socket: zmq.Dealer;
  readonly #rank: number;
  #closed = false;

  private constructor(socket: zmq.Dealer, rank: number) {
    this.#socket = socket;
    this.#rank = rank;
  }

  static async connect(job: JobEnv, hello: { pid: number; host: string }, key: JobKey | undefined): Promise<WireupClient> {
    const curve = key === undefined ? {} : curveClientOptions(key);
    const socket = new zmq.Dealer({ ...curve, routingId: rankRoutingId(job.rank), linger: REPORT_LINGER_MS });
    socket.connect(job.rendezvous);
    const client = new WireupClient(socket, job.rank);
    await client.send({ type: "hello", rank: job.rank, ...hello });
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
    return this.send({ type: "put", rank: this.#rank, key, value });
  }

  /** Resolves with every key/value put by any rank, once all ranks have reached the fence. */
  async fence(): Promise<Record<string, string>> {
    await this.send({ type: "fence", rank: this.#rank });
    const [frame] = await this.#socket.receive();
    const reply = frame === undefined ? undefined : decodeWireupMessage<LauncherToRank>(frame);
    if (reply?.type !== "fence") {
      throw wireupFailed({ rank: this.#rank, call: "init" }, "unexpected reply from tsmpirun's rendezvous");
    }
    return reply.kvs;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
