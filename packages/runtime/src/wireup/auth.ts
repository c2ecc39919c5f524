/**
 * Authentication of a job's ZeroMQ sockets across hosts: CURVE with one key pair made per job by
 * the launcher, and a ZAP handler that admits only that key. CURVE alone encrypts but admits any
 * client that knows the server's public key; ZAP is libzmq's hook for deciding who may connect.
 *
 * Every process of the job holds the same key pair and uses it both ways: its listening sockets
 * are CURVE servers with the job's secret key, its connecting sockets are CURVE clients presenting
 * the job's public key, and its ZAP handler accepts a client only if that is the key it presents.
 */
import { readFileSync } from "node:fs";
import * as zmq from "zeromq";

/** A CURVE key pair as Z85 text (40 characters each), as `zmq.curveKeyPair()` makes it. */
export interface JobKey {
  publicKey: string;
  secretKey: string;
}

/** Makes a fresh key pair for one job. */
export function newJobKey(): JobKey {
  return zmq.curveKeyPair();
}

/** The key file's content: the launcher writes it (mode 0600), ranks and agents read it. */
export function encodeJobKey(key: JobKey): string {
  return JSON.stringify(key);
}

export function decodeJobKey(text: string): JobKey {
  const parsed = JSON.parse(text) as Partial<JobKey>;
  if (!isZ85Key(parsed.publicKey) || !isZ85Key(parsed.secretKey)) throw new Error("not a tsmpi job key (expected {publicKey, secretKey} in Z85)");
  return { publicKey: parsed.publicKey, secretKey: parsed.secretKey };
}

export function readJobKey(file: string): JobKey {
  return decodeJobKey(readFileSync(file, "utf8"));
}

function isZ85Key(value: unknown): value is string {
  return typeof value === "string" && value.length === 40;
}

/** Options for a socket that accepts connections (binds). */
export function curveServerOptions(key: JobKey): { curveServer: true; curveSecretKey: string; curvePublicKey: string; zapDomain: string } {
  return { curveServer: true, curveSecretKey: key.secretKey, curvePublicKey: key.publicKey, zapDomain: ZAP_DOMAIN };
}

/** Options for a socket that connects to a job server. */
export function curveClientOptions(key: JobKey): { curveServerKey: string; curvePublicKey: string; curveSecretKey: string } {
  return { curveServerKey: key.publicKey, curvePublicKey: key.publicKey, curveSecretKey: key.secretKey };
}

const ZAP_ENDPOINT = "inproc://zeromq.zap.01";
const ZAP_DOMAIN = "tsmpi";
/** While handshakes are likely (start-up, and after each one), requests are answered within this. */
const BUSY_POLL_MS = 1;
/** Otherwise: a rare late connection waits at most this long for its verdict. */
const IDLE_POLL_MS = 20;
/** How long "likely" lasts after start and after the last request. */
const BUSY_WINDOW_MS = 3_000;

/** A refused connection, as the ZAP request describes it. */
export interface Refusal {
  /** The peer's IP address as libzmq saw it. */
  address: string;
  mechanism: string;
}

/**
 * The process's ZAP handler. It polls its socket from an unref'd timer instead of keeping a
 * receive pending, because a pending zeromq receive keeps the Node event loop alive: a rank that
 * forgets `finalize` would then never exit. libzmq allows one bind of the ZAP endpoint per process,
 * and it must be bound before any CURVE server socket; but one process may hold several such sockets
 * with their own owners (on Kubernetes, rank 0 serves the rendezvous and listens as a rank). So
 * every {@link ZapHandler.start} returns a handle of its own on one shared handler, and the socket
 * closes with the last handle.
 */
export class ZapHandler {
  static #running: Promise<ZapService> | undefined;
  readonly #service: ZapService;
  /** A function of this handle's own, so that two handles given one callback stay two listeners. */
  readonly #listener: (refusal: Refusal) => void;
  #closed = false;

  private constructor(service: ZapService, onRefused: (refusal: Refusal) => void) {
    this.#service = service;
    this.#listener = (refusal) => onRefused(refusal);
    service.listeners.add(this.#listener);
    service.users += 1;
  }

  /**
   * A handle on the process's handler, which admits only `key`; `onRefused` hears of every
   * connection it refuses until this handle is closed. Throws if the handler already serves
   * another key: a process belongs to one job.
   */
  static async start(key: JobKey, onRefused: (refusal: Refusal) => void): Promise<ZapHandler> {
    const running = ZapHandler.#running;
    // The promise, not the service, is shared: two starts at once must not both bind the endpoint.
    const service = await (running ?? (ZapHandler.#running = ZapHandler.#bind(key)));
    if (service.closed) {
      if (ZapHandler.#running === running) ZapHandler.#running = undefined;
      return ZapHandler.start(key, onRefused);
    }
    if (service.publicKey !== key.publicKey) throw new Error("this process's ZAP handler already serves another job's key");
    return new ZapHandler(service, onRefused);
  }

  static #bind(key: JobKey): Promise<ZapService> {
    const binding = ZapService.bind(key);
    // A failed bind must not stay the process's handler: the next start tries again.
    binding.catch(() => {
      if (ZapHandler.#running === binding) ZapHandler.#running = undefined;
    });
    return binding;
  }

  /** Releases this handle; the last one closes the handler's socket. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const service = this.#service;
    service.listeners.delete(this.#listener);
    service.users -= 1;
    if (service.users > 0) return;
    service.close();
  }
}

/** The one ZAP socket of the process, shared by every {@link ZapHandler} handle. */
class ZapService {
  readonly #socket: zmq.Reply;
  readonly #publicKeyBytes: Buffer;
  readonly publicKey: string;
  readonly listeners = new Set<(refusal: Refusal) => void>();
  users = 0;
  closed = false;
  #timer: NodeJS.Timeout | undefined;
  #busyUntil: number;
  #serving = false;

  private constructor(socket: zmq.Reply, key: JobKey) {
    this.#socket = socket;
    this.publicKey = key.publicKey;
    this.#publicKeyBytes = z85Decode(key.publicKey);
    this.#busyUntil = Date.now() + BUSY_WINDOW_MS;
    this.#schedule();
  }

  static async bind(key: JobKey): Promise<ZapService> {
    const socket = new zmq.Reply({ linger: 0 });
    await socket.bind(ZAP_ENDPOINT);
    return new ZapService(socket, key);
  }

  #schedule(): void {
    if (this.closed) return;
    const interval = Date.now() < this.#busyUntil ? BUSY_POLL_MS : IDLE_POLL_MS;
    this.#timer = setTimeout(() => void this.#serve(), interval);
    this.#timer.unref();
  }

  async #serve(): Promise<void> {
    if (this.#serving || this.closed) return;
    this.#serving = true;
    try {
      while (!this.closed && this.#socket.readable) {
        const request = await this.#socket.receive();
        this.#busyUntil = Date.now() + BUSY_WINDOW_MS;
        await this.#socket.send(this.#verdict(request));
      }
    } catch {
      // Closing the socket rejects a receive in progress; nothing is left to answer then.
    } finally {
      this.#serving = false;
      this.#schedule();
    }
  }

  /** RFC 27 (ZAP): version, request id, domain, address, identity, mechanism, credentials. */
  #verdict(request: Buffer[]): Buffer[] {
    const [version, requestId, , address, , mechanism, credentials] = request;
    const accepted =
      mechanism?.toString() === "CURVE" && credentials !== undefined && credentials.equals(this.#publicKeyBytes);
    if (!accepted) {
      const refusal = { address: address?.toString() ?? "?", mechanism: mechanism?.toString() ?? "?" };
      for (const listener of this.listeners) listener(refusal);
    }
    return [
      version ?? Buffer.from("1.0"),
      requestId ?? Buffer.alloc(0),
      Buffer.from(accepted ? "200" : "400"),
      Buffer.from(accepted ? "OK" : "not this job's key"),
      Buffer.from(accepted ? "tsmpi" : ""),
      Buffer.alloc(0),
    ];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.#timer);
    this.#socket.close();
  }
}

const Z85_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Z85 (ZeroMQ RFC 32) text to bytes: ZAP hands the client's key over as 32 raw bytes. */
function z85Decode(text: string): Buffer {
  const bytes = Buffer.alloc((text.length * 4) / 5);
  for (let i = 0, out = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) value = value * 85 + Z85_ALPHABET.indexOf(text[i + j]!);
    bytes.writeUInt32BE(value, out);
    out += 4;
  }
  return bytes;
}
