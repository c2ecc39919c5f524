import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { PassThrough, Writable } from "node:stream";
import { decodeRecord, encodeLine, HEARTBEAT_INTERVAL_MS, type AgentJob, type AgentRecord } from "../agent/protocol.ts";
import { createInterface, type Interface } from "node:readline";
import type { RankLaunchSpec } from "../procs/spawn.ts";
import type { RankChild, RankHost } from "./rank-host.ts";

/** Exit code of a rank whose host was lost (its agent or the connection to it ended first), as ssh's. */
export const HOST_LOST_EXIT_CODE = 255;
/** Lines of an agent's own output kept to explain a lost host. */
const AGENT_TAIL_LINES = 10;

/** Output of a rank buffered here before its agent is asked to stop reading the rank's pipe. */
const RANK_OUTPUT_BUFFER_BYTES = 256 * 1024;
/**
 * Output of a rank buffered here (what was on its way when the agent was asked to pause it) above
 * which the launcher stops reading the agent's records altogether: an agent that did not pause.
 */
const RANK_OUTPUT_HARD_LIMIT_BYTES = 32 * 1024 * 1024;

/** A rank on another host, driven through its agent's records. */
class AgentRank extends EventEmitter {
  pid: number | undefined;
  readonly stdout = new PassThrough({ highWaterMark: RANK_OUTPUT_BUFFER_BYTES });
  readonly stderr = new PassThrough({ highWaterMark: RANK_OUTPUT_BUFFER_BYTES });
  /** fds whose reading the agent was asked to pause until the stream drains. */
  readonly paused = new Set<1 | 2>();
  stdin: Writable | null = null;
  exited = false;

  constructor(readonly rank: number) {
    super();
  }

  end(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.stdout.end();
    this.stderr.end();
    this.emit("exit", code, signal);
  }
}

/** The rest of the job an agent needs, besides the ranks: built by the launcher once per job. */
export type AgentJobTemplate = Omit<AgentJob, "host" | "ranks" | "stdinRank" | "rendezvousAddress">;

/**
 * One host's ranks, run by a tsmpi agent that `agent` (a local ssh, srun or node process) is
 * connected to. Output and exits arrive as records; signals go out as control lines. When the
 * agent ends before its ranks have, those ranks end as "lost" with HOST_LOST_EXIT_CODE.
 */
export class AgentHost implements RankHost {
  readonly #agent: ChildProcess;
  readonly #template: AgentJobTemplate;
  readonly #ranks = new Map<number, AgentRank>();
  readonly #tail: string[] = [];
  readonly #heartbeat: NodeJS.Timeout;
  #failure: string | undefined;
  #agentGone = false;
  /** Control lines may follow only the job line; until it is sent, ending means closing stdin. */
  #jobSent = false;
  #ended = false;
  /** The launcher's address as the agent's connection came from it (SSH_CONNECTION), once known. */
  readonly launcherAddress: Promise<string | undefined>;
  #resolveAddress!: (address: string | undefined) => void;
  /** Why the host was lost, if it was: shown in the failure report. */
  lostReason: string | undefined;

  constructor(
    readonly hostname: string,
    agent: ChildProcess,
    template: AgentJobTemplate,
    private readonly onAgentLine: (host: string, line: string) => void,
    private readonly rendezvousAddress: Promise<string | undefined> = Promise.resolve(undefined),
  ) {
    this.#agent = agent;
    this.#template = template;
    this.launcherAddress = new Promise((resolve) => (this.#resolveAddress = resolve));
    agent.stdin?.on("error", () => undefined);
    // Records can be long (a chunk of output); readline has no line-length cap.
    if (agent.stdout) {
      const records = createInterface({ input: agent.stdout, crlfDelay: Infinity });
      records.on("line", (line) => this.#onLine(line, records));
    }
    if (agent.stderr) createInterface({ input: agent.stderr, crlfDelay: Infinity }).on("line", (line) => this.#agentSaid(line));
    agent.once("error", (error) => this.#agentEnded(`could not start: ${error.message}`));
    agent.once("close", (code, signal) => this.#agentEnded(signal === null ? `exit code ${code}` : `signal ${signal}`));
    this.#heartbeat = setInterval(() => this.#control({ t: "ping" }), HEARTBEAT_INTERVAL_MS);
    this.#heartbeat.unref();
  }

  start(specs: readonly RankLaunchSpec[]): RankChild[] {
    const children = specs.map((spec) => {
      const rank = new AgentRank(spec.rank);
      if (spec.withStdin) rank.stdin = this.#stdinRelay();
      this.#ranks.set(spec.rank, rank);
      return rank as unknown as RankChild;
    });
    const first = specs[0];
    if (first === undefined) return children;
    void this.rendezvousAddress.then((rendezvousAddress) => {
      const job: AgentJob = {
        ...this.#template,
        host: this.hostname,
        rendezvousAddress,
        ranks: specs.map((spec) => spec.rank),
        stdinRank: specs.find((spec) => spec.withStdin)?.rank,
      };
      if (this.#ended) return;
      this.#write(encodeLine(job));
      this.#jobSent = true;
    });
    return children;
  }

  async endAll(graceMs: number): Promise<void> {
    if (this.#agentGone) return;
    this.#ended = true;
    if (this.#jobSent) this.#control({ t: "end" });
    else this.#agent.stdin?.end();
    // The agent ends its ranks itself; if it does not answer in time, its connection goes.
    const gone = new Promise<void>((resolve) => this.#agent.once("close", () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs + 3_000)));
    await Promise.race([gone, late]);
    clearTimeout(timer);
    if (!this.#agentGone) this.#agent.kill("SIGKILL");
  }

  killLeftovers(): void {
    // The agent kills its ranks' leftovers before it exits; closing stdin tells it to finish.
    this.#agent.stdin?.end();
  }

  /** Whether the agent refused the job (a missing path, ...), and why. */
  get failure(): string | undefined {
    return this.#failure;
  }

  #onLine(line: string, records: Interface): void {
    const record = decodeRecord(line);
    if (record === undefined) return this.#agentSaid(line);
    const full = this.#onRecord(record);
    if (full === undefined || full.writableLength < RANK_OUTPUT_HARD_LIMIT_BYTES) return;
    // Still more output of a rank whose reading the agent was asked to pause: stop reading the
    // agent's stream, and the agent's own writes then slow all its ranks down.
    records.pause();
    const resume = (): void => {
      full.off("drain", resume);
      full.off("close", resume);
      records.resume();
    };
    full.on("drain", resume);
    full.on("close", resume);
  }

  /** The rank's stream an output record filled, if it did (read on after its 'drain'). */
  #onRecord(record: AgentRecord): PassThrough | undefined {
    switch (record.t) {
      case "hello":
        this.#resolveAddress(record.launcherAddress);
        return;
      case "started": {
        const rank = this.#ranks.get(record.rank);
        if (rank) rank.pid = record.pid;
        return;
      }
      case "output": {
        const rank = this.#ranks.get(record.rank);
        const stream = record.fd === 1 ? rank?.stdout : rank?.stderr;
        if (rank === undefined || stream === undefined || stream.writableEnded) return;
        if (stream.write(Buffer.from(record.data, "base64"))) return;
        this.#pauseRank(rank, record.fd, stream);
        return stream;
      }
      case "exit":
        this.#ranks.get(record.rank)?.end(record.code, record.signal);
        return;
      case "failed":
        this.#failure = record.message;
        return;
    }
  }

  /**
   * The rank's output waits here (for tsmpirun's reader, or for another rank's long line: see
   * output/route.ts): the agent stops reading that rank's pipe until it drains, and the rank's
   * blocking writes slow it down. Its other ranks go on (one of them may hold the line).
   */
  #pauseRank(rank: AgentRank, fd: 1 | 2, stream: PassThrough): void {
    if (rank.paused.has(fd)) return;
    rank.paused.add(fd);
    this.#control({ t: "pause", rank: rank.rank, fd });
    const resume = (): void => {
      stream.off("drain", resume);
      stream.off("close", resume);
      rank.paused.delete(fd);
      if (!rank.exited) this.#control({ t: "resume", rank: rank.rank, fd });
    };
    stream.on("drain", resume);
    stream.on("close", resume);
  }

  #agentSaid(line: string): void {
    if (line === "") return;
    this.#tail.push(line);
    if (this.#tail.length > AGENT_TAIL_LINES) this.#tail.shift();
    this.onAgentLine(this.hostname, line);
  }

  #agentEnded(how: string): void {
    if (this.#agentGone) return;
    this.#agentGone = true;
    clearInterval(this.#heartbeat);
    this.#resolveAddress(undefined);
    const unfinished = [...this.#ranks.values()].filter((rank) => !rank.exited);
    if (unfinished.length > 0) {
      const said = this.#tail.length > 0 ? `: ${this.#tail.join(" / ")}` : "";
      this.lostReason = this.#failure ?? `its tsmpi agent ended (${how})${said}`;
      for (const rank of unfinished) rank.end(HOST_LOST_EXIT_CODE, null);
    }
  }

  #stdinRelay(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.#control({ t: "stdin", data: chunk.toString("base64") });
        done();
      },
      final: (done) => {
        this.#control({ t: "stdin-end" });
        done();
      },
    });
  }

  #control(message: Parameters<typeof encodeLine>[0]): void {
    if (this.#jobSent) this.#write(encodeLine(message));
  }

  #write(text: string): void {
    if (this.#agentGone || this.#agent.stdin === null || this.#agent.stdin.destroyed) return;
    this.#agent.stdin.write(text);
  }
}
