/**
 * A PMI-2 client, so that ranks started straight by Slurm (`srun --mpi=pmi2 -n N node app.js`) can
 * wire up through Slurm's key/value store instead of tsmpirun's rendezvous.
 *
 * The wire protocol ("simple PMI-2", as spoken by Slurm's mpi/pmi2 plugin and MPICH's PMI-2 client):
 * srun leaves each task one end of a stream socket, whose number is in `PMI_FD`. The client writes
 * the PMI-1 style line `cmd=init pmi_version=2 pmi_subversion=0\n` and reads back one line
 * `cmd=response_to_init rc=0 pmi_version=2 pmi_subversion=0\n`. From then on every message, both
 * ways, is its length in decimal ASCII, padded with spaces to `LENGTH_FIELD_BYTES` characters,
 * followed by that many bytes of `cmd=NAME;key=value;...;`. Each request gets exactly one reply
 * named `NAME-response` carrying `rc` (and `errmsg` when `rc` is not zero), except `abort`, which
 * gets none.
 *
 * Limits and quirks of Slurm's server that shape this file (src/plugins/mpi/pmi2 in Slurm):
 * - Keys and values are C strings of at most `PMI2_MAX_KEYLEN` and `PMI2_MAX_VALLEN` bytes.
 *   Slurm itself stores longer values, but other PMI-2 servers and clients use fixed buffers of
 *   these sizes and truncate, so `put` refuses anything longer instead of letting it be cut.
 * - The protocol escapes a `;` inside a value as `;;`, but Slurm's parser does not unescape it: it
 *   ends the value at the first `;`, so a put of `a;;b` stores `a`. `put` refuses a `;` for that
 *   reason; replies are still unescaped, for servers that do escape.
 * - `abort` has no field for an exit status and no reply: Slurm kills every task of the step.
 *
 * Internal to the runtime: not exported from the package's index.
 */
import { Socket } from "node:net";
import { invalidArguments, notUsable, protocolViolation, TsmpiError, wireupFailed, type CallSite } from "../errors.ts";
import type { WireupStore } from "./store.ts";

/** PMI2_MAX_KEYLEN of the PMI-2 headers (MPICH's pmi2.h, Slurm's mpi/pmi2/pmi.h). */
const PMI2_MAX_KEYLEN = 64;
/** PMI2_MAX_VALLEN of the PMI-2 headers. */
const PMI2_MAX_VALLEN = 1024;
/** Width of the length field in front of every message after `init`. */
const LENGTH_FIELD_BYTES = 6;

/** The fields of one message, `cmd` first; values unescaped. */
type Fields = Map<string, string>;
type Request = readonly (readonly [key: string, value: string])[];

/**
 * Whether this process was started by a PMI-2 server: srun --mpi=pmi2 (and MPICH's Hydra) put the
 * number of the inherited socket in `PMI_FD`. A `PMI_FD` that is set but is no file descriptor
 * still counts, so that {@link Pmi2Client.connect} reports it rather than the rank quietly running
 * alone.
 */
export function pmi2Available(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PMI_FD !== undefined && env.PMI_FD.trim() !== "";
}

/**
 * One task's connection to its PMI-2 server (slurmstepd under srun).
 *
 * Requests go out one at a time, in the order they were made: the protocol has no request ids,
 * so a reply can only be matched to the one request outstanding. The exception is
 * {@link Pmi2Client.abort}, which gets no reply and must not wait behind a fence that a failing
 * job may never complete.
 *
 * The socket keeps Node's event loop alive only while a request is outstanding, so that a program
 * whose work is done can exit even without {@link Pmi2Client.finalize}.
 */
export class Pmi2Client implements WireupStore {
  /** This task's rank in the job, as the server numbers it. */
  readonly rank: number;
  /** The number of tasks in the job. */
  readonly size: number;
  /** The PMI job id (`PMI_JOBID`; Slurm's `<job>.<step>`), which names the key/value space. */
  readonly jobId: string;
  /** Which program of a multi-program launch this task runs; Slurm always reports -1. */
  readonly appnum: number;

  readonly #channel: Channel;
  #tail: Promise<unknown> = Promise.resolve();
  #state: "open" | "aborted" | "finalized" = "open";

  private constructor(channel: Channel, identity: { rank: number; size: number; jobId: string; appnum: number }) {
    this.#channel = channel;
    this.rank = identity.rank;
    this.size = identity.size;
    this.jobId = identity.jobId;
    this.appnum = identity.appnum;
  }

  /**
   * Connects over the socket inherited as `PMI_FD` and does `init` and `fullinit`. Rejects with an
   * `ERR_WIREUP` {@link TsmpiError} when the environment is incomplete, the descriptor is not a
   * socket, or the server refuses either step.
   */
  static async connect(env: NodeJS.ProcessEnv = process.env): Promise<Pmi2Client> {
    const site: CallSite = { call: "init" };
    const fd = Number(env.PMI_FD?.trim());
    if (!Number.isSafeInteger(fd) || fd < 0) {
      throw wireupFailed(site, `PMI_FD=${JSON.stringify(env.PMI_FD ?? "")} is not a file descriptor (srun --mpi=pmi2 sets it)`);
    }
    const missing = ["PMI_RANK", "PMI_JOBID"].filter((name) => (env[name] ?? "") === "");
    if (missing.length > 0) {
      throw wireupFailed(site, `PMI_FD is set but not ${missing.join(" or ")}: the PMI-2 server did not describe this task`);
    }
    const jobId = env.PMI_JOBID ?? "";

    let socket: Socket;
    try {
      socket = new Socket({ fd, readable: true, writable: true });
    } catch (error) {
      throw wireupFailed(site, `PMI_FD=${fd} cannot be the PMI-2 server's socket: ${(error as Error).message}`, error);
    }
    const channel = new Channel(socket);
    try {
      const greeting = await channel.exchange("cmd=init pmi_version=2 pmi_subversion=0\n", "line", site);
      const init = parseInitLine(greeting);
      if (init.get("cmd") !== "response_to_init" || init.get("rc") !== "0" || init.get("pmi_version") !== "2") {
        throw wireupFailed(site, `the PMI-2 server refused PMI version 2.0: it answered ${JSON.stringify(greeting.trim())}`);
      }
      const request: Request = [
        ["pmijobid", jobId],
        ["pmirank", env.PMI_RANK ?? ""],
        ["threaded", "FALSE"],
      ];
      const fields = expectReply(await channel.exchange(encode("fullinit", request), "frame", site), "fullinit", site);
      const rank = integerField(fields, "rank", site);
      const size = integerField(fields, "size", site);
      const appnum = fields.has("appnum") ? integerField(fields, "appnum", site) : -1;
      if (size < 1 || rank < 0 || rank >= size) throw protocolViolation(site, `the PMI-2 server gave rank ${rank} of size ${size}`);
      return new Pmi2Client(channel, { rank, size, jobId, appnum });
    } catch (error) {
      channel.close();
      throw error;
    }
  }

  /**
   * Stores `value` under `key` for every task to read after the next {@link Pmi2Client.fence}. A key
   * holds at most `PMI2_MAX_KEYLEN` bytes of UTF-8 and a value at most `PMI2_MAX_VALLEN`; neither
   * may hold a `;` or a NUL, nor a key a `=`. Anything else is refused with `ERR_ARG`, never cut.
   */
  async put(key: string, value: string): Promise<void> {
    const site = this.#site("put");
    checkKey(site, key, "key");
    checkValue(site, value);
    await this.#request(site, "kvs-put", [
      ["key", key],
      ["value", value],
    ]);
  }

  /** Waits until every task of the job has called it; then each sees what all of them put before. */
  async fence(): Promise<void> {
    await this.#request(this.#site("fence"), "kvs-fence", []);
  }

  /** The value any task put under `key` before the last fence; undefined when there is none. */
  async get(key: string): Promise<string | undefined> {
    const site = this.#site("get");
    checkKey(site, key, "key");
    const reply = await this.#request(site, "kvs-get", [
      ["jobid", this.jobId],
      ["srcid", "-1"],
      ["key", key],
    ]);
    return foundValue(reply);
  }

  /**
   * A job attribute (`PMI_process_mapping`, `universeSize`, ...); undefined when the server has
   * none of that name. Slurm answers any name that sorts after `PMI_netinfo_of_task` with the
   * node's network interfaces, so there an unknown name is not always undefined.
   */
  async jobAttr(name: string): Promise<string | undefined> {
    const site = this.#site("jobAttr");
    checkKey(site, name, "name");
    return foundValue(await this.#request(site, "info-getjobattr", [["key", name]]));
  }

  /**
   * The node (counted from 0, in the order of the step's node list) that each rank runs on, from
   * the `PMI_process_mapping` job attribute: `(vector,(0,3,2))` reads "from node 0, on each of 3
   * nodes, 2 consecutive ranks" and gives `[0, 0, 1, 1, 2, 2]`. Every rank gets the same answer.
   */
  async nodeOfEachRank(): Promise<number[]> {
    const site = this.#site("nodeOfEachRank");
    const mapping = await this.jobAttr("PMI_process_mapping");
    if (mapping === undefined) throw wireupFailed(site, "the PMI-2 server has no PMI_process_mapping attribute");
    return parseProcessMapping(mapping, this.size, site);
  }

  /**
   * Asks the server to end the whole job (`abort` with `isworld=TRUE`). PMI-2 carries no exit
   * status, so `code` only goes into the message; Slurm sends no reply and kills every task of the
   * step, this one too. The promise resolves once the request is written, and the caller should
   * exit with `code` itself in case the server leaves this process running. It does not wait for
   * a request in flight. The message loses its `;` (each becomes `,`) and is cut to
   * `PMI2_MAX_VALLEN` bytes. Calling it again does nothing, and no other call can be made
   * afterwards.
   */
  async abort(code: number, message: string): Promise<void> {
    const site = this.#site("abort");
    if (this.#state === "aborted") return;
    this.#assertOpen(site);
    this.#state = "aborted";
    // Not `;;`: Slurm would end the message at the first `;` and log the rest as a malformed field.
    const text = truncateUtf8(`exit code ${code}: ${message}`.replace(/[;\0]/g, ","), PMI2_MAX_VALLEN);
    const request: Request = [
      ["isworld", "TRUE"],
      ["msg", text],
    ];
    await this.#channel.send(encode("abort", request), site);
  }

  /**
   * Tells the server this task is done (`finalize`) and closes the socket. Calling it again does
   * nothing; any other call afterwards is refused with `ERR_STATE`.
   */
  finalize(): Promise<void> {
    const site = this.#site("finalize");
    return this.#enqueue(async () => {
      if (this.#state === "finalized") return;
      this.#assertOpen(site);
      try {
        expectReply(await this.#channel.exchange(encode("finalize", []), "frame", site), "finalize", site);
      } finally {
        this.#state = "finalized";
        this.#channel.close();
      }
    });
  }

  #site(call: string): CallSite {
    return { rank: this.rank, call };
  }

  #assertOpen(site: CallSite): void {
    if (this.#state !== "open") throw notUsable(site, `the PMI-2 client has been ${this.#state === "aborted" ? "used to abort" : "finalized"}`);
  }

  /** Runs `task` once everything enqueued before it has settled, whatever the outcome. */
  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #request(site: CallSite, cmd: string, request: Request): Promise<Fields> {
    return this.#enqueue(async () => {
      this.#assertOpen(site);
      return expectReply(await this.#channel.exchange(encode(cmd, request), "frame", site), cmd, site);
    });
  }
}

/**
 * The socket and its framing, for one exchange at a time (the client's queue sees to that). The
 * socket is ref'd only while an exchange is in flight.
 */
class Channel {
  readonly #socket: Socket;
  #received: Buffer = Buffer.alloc(0);
  #waiter: { mode: "line" | "frame"; resolve(message: string): void; reject(error: Error): void } | undefined;
  /** Why the channel can no longer be used, once it cannot. */
  #failure: Error | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.unref();
    socket.on("data", (chunk: Buffer) => {
      this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
      this.#deliver();
    });
    socket.on("error", (error) => this.#fail(new Error(`the PMI-2 socket failed: ${error.message}`, { cause: error })));
    socket.on("close", () => this.#fail(new Error("the PMI-2 server closed the connection")));
  }

  /** Writes `message` and resolves with the one reply to it, as text. */
  async exchange(message: string, mode: "line" | "frame", site: CallSite): Promise<string> {
    this.#check(site);
    const reply = new Promise<string>((resolve, reject) => {
      this.#waiter = { mode, resolve, reject };
    });
    // A lost connection can reject the reply while the write is still pending, before the await
    // below is reached; without a handler that would be an unhandled rejection.
    reply.catch(() => undefined);
    this.#socket.ref();
    try {
      await this.send(message, site);
      return await reply;
    } catch (error) {
      this.#waiter = undefined;
      throw error instanceof TsmpiError ? error : wireupFailed(site, (error as Error).message, error);
    } finally {
      if (!this.#socket.destroyed) this.#socket.unref();
    }
  }

  /**
   * Writes `message` and resolves once it is handed to the kernel. Used alone for `abort`, which
   * gets no reply; a pending write keeps the event loop alive even while the socket is unref'd.
   */
  send(message: string, site: CallSite): Promise<void> {
    this.#check(site);
    return new Promise((resolve, reject) => {
      this.#socket.write(message, "utf8", (error) => {
        if (error) reject(wireupFailed(site, `cannot write to the PMI-2 server: ${error.message}`, error));
        else resolve();
      });
    });
  }

  close(): void {
    this.#failure ??= new Error("the PMI-2 connection is closed");
    this.#socket.destroy();
  }

  #check(site: CallSite): void {
    if (this.#failure !== undefined) throw wireupFailed(site, this.#failure.message, this.#failure);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#failure);
  }

  /** Hands a complete reply, once it has arrived, to the exchange waiting for it. */
  #deliver(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) {
      // The server speaks only when spoken to: anything else means the two sides are out of step.
      this.#fail(new Error(`unrequested data from the PMI-2 server: ${JSON.stringify(this.#received.toString("utf8"))}`));
      this.#socket.destroy();
      return;
    }
    let message: string;
    if (waiter.mode === "line") {
      const end = this.#received.indexOf(0x0a);
      if (end < 0) return;
      message = this.#received.subarray(0, end + 1).toString("utf8");
      this.#received = this.#received.subarray(end + 1);
    } else {
      if (this.#received.length < LENGTH_FIELD_BYTES) return;
      // Slurm pads the length on the right, other implementations on the left; C's atoi reads both.
      const field = this.#received.subarray(0, LENGTH_FIELD_BYTES).toString("latin1");
      if (!/^ *\d+ *$/.test(field)) {
        this.#fail(new Error(`the PMI-2 server sent a malformed length field ${JSON.stringify(field)}`));
        this.#socket.destroy();
        return;
      }
      const end = LENGTH_FIELD_BYTES + Number(field.trim());
      if (this.#received.length < end) return;
      message = this.#received.subarray(LENGTH_FIELD_BYTES, end).toString("utf8");
      this.#received = this.#received.subarray(end);
    }
    this.#waiter = undefined;
    waiter.resolve(message);
    if (this.#received.length > 0) this.#deliver();
  }
}

/** One framed request: the length field, then `cmd=NAME;key=value;...;` with `;` escaped. */
function encode(cmd: string, request: Request): string {
  const body = `cmd=${cmd};${request.map(([key, value]) => `${key}=${value.replaceAll(";", ";;")};`).join("")}`;
  return `${String(Buffer.byteLength(body, "utf8")).padEnd(LENGTH_FIELD_BYTES)}${body}`;
}

/** Splits `key=value;key=value;...;`, reading `;;` inside a value as one `;`. */
function decode(body: string): Fields | undefined {
  const fields: Fields = new Map();
  let at = 0;
  while (at < body.length) {
    const equals = body.indexOf("=", at);
    if (equals < 0) return undefined;
    const key = body.slice(at, equals);
    let value = "";
    let from = equals + 1;
    for (;;) {
      const semicolon = body.indexOf(";", from);
      if (semicolon < 0) return undefined;
      value += body.slice(from, semicolon);
      if (body[semicolon + 1] !== ";") {
        at = semicolon + 1;
        break;
      }
      value += ";";
      from = semicolon + 2;
    }
    if (!fields.has(key)) fields.set(key, value);
  }
  return fields;
}

/** `cmd=response_to_init rc=0 pmi_version=2 pmi_subversion=0\n`: PMI-1 syntax, space-separated. */
function parseInitLine(line: string): Fields {
  const fields: Fields = new Map();
  for (const word of line.trim().split(/\s+/)) {
    const equals = word.indexOf("=");
    if (equals > 0) fields.set(word.slice(0, equals), word.slice(equals + 1));
  }
  return fields;
}

/** The reply's fields, once it is known to answer `cmd` with `rc=0`. */
function expectReply(body: string, cmd: string, site: CallSite): Fields {
  const fields = decode(body);
  if (fields === undefined || fields.get("cmd") !== `${cmd}-response`) {
    throw protocolViolation(site, `the PMI-2 server answered ${cmd} with ${JSON.stringify(body)}`);
  }
  const rc = fields.get("rc");
  if (rc !== "0") {
    const why = fields.get("errmsg");
    throw wireupFailed(site, `the PMI-2 server refused ${cmd} (rc=${rc ?? "missing"}${why === undefined ? "" : `: ${why}`})`);
  }
  return fields;
}

function foundValue(fields: Fields): string | undefined {
  return fields.get("found")?.toUpperCase() === "TRUE" ? (fields.get("value") ?? "") : undefined;
}

function integerField(fields: Fields, name: string, site: CallSite): number {
  const text = fields.get(name);
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isSafeInteger(value)) {
    throw protocolViolation(site, `the PMI-2 server's reply has ${text === undefined ? `no ${name}` : `${name}=${JSON.stringify(text)}`}`);
  }
  return value;
}

function checkKey(site: CallSite, key: string, argument: string): void {
  if (typeof key !== "string" || key === "") throw invalidArguments(site, `${argument} must be a non-empty string`, argument, key);
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > PMI2_MAX_KEYLEN) {
    throw invalidArguments(site, `${argument} is ${bytes} bytes of UTF-8; a PMI-2 key holds at most ${PMI2_MAX_KEYLEN} (PMI2_MAX_KEYLEN)`, argument);
  }
  if (/[;=\0]/.test(key)) throw invalidArguments(site, `a PMI-2 key cannot hold ';', '=' or NUL`, argument, key);
}

function checkValue(site: CallSite, value: string): void {
  if (typeof value !== "string") throw invalidArguments(site, "value must be a string", "value", value);
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > PMI2_MAX_VALLEN) {
    throw invalidArguments(site, `value is ${bytes} bytes of UTF-8; a PMI-2 value holds at most ${PMI2_MAX_VALLEN} (PMI2_MAX_VALLEN)`, "value");
  }
  // Slurm would keep what comes before a ';', and C code what comes before a NUL.
  if (/[;\0]/.test(value)) throw invalidArguments(site, "a PMI-2 value cannot hold ';' or NUL (Slurm would cut it there)", "value");
}

/**
 * Expands `(vector,(start,nodes,ranksPerNode),...)`. Slurm lists every rank; MPICH's Hydra may give
 * a shorter pattern (one block for a cyclic layout), which repeats until every rank has a node, as
 * MPICH reads it.
 */
function parseProcessMapping(mapping: string, size: number, site: CallSite): number[] {
  const bad = (why: string) => wireupFailed(site, `cannot read PMI_process_mapping ${JSON.stringify(mapping)}: ${why}`);
  const blocks = /^\(vector((?:,\(\d+,\d+,\d+\))+)\)$/.exec(mapping.replace(/\s+/g, ""))?.[1];
  if (blocks === undefined) throw bad("expected (vector,(start,nodes,ranksPerNode),...)");
  const pattern: number[] = [];
  for (const [, start, nodes, perNode] of blocks.matchAll(/\((\d+),(\d+),(\d+)\)/g)) {
    const first = Number(start);
    for (let node = first; node < first + Number(nodes); node++) {
      for (let k = 0; k < Number(perNode); k++) pattern.push(node);
    }
  }
  if (pattern.length === 0) throw bad("it places no rank");
  return Array.from({ length: size }, (_, rank) => pattern[rank % pattern.length] as number);
}

/** The longest start of `text` that is at most `maxBytes` of UTF-8, without a split character. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  return bytes.subarray(0, maxBytes).toString("utf8").replace(/\uFFFD$/, "");
}
