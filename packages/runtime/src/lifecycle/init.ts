/**
 * `init` and `finalize` (MPI_Init / MPI_Finalize). `init` finds out from the environment how this
 * process belongs to a job, binds this rank's socket, meets the other ranks and returns the world
 * communicator. A program that never calls `finalize` is finalized when its event loop runs dry,
 * after its queued messages have been handed over.
 */
import { hostname } from "node:os";
import { Comm } from "../comm/comm.ts";
import { worldCore } from "../core/comm-core.ts";
import { Engine } from "../engine/engine.ts";
import { notUsable, TsmpiError, wireupFailed } from "../errors.ts";
import { readWireupEnv, sharedMemoryTransportAllowed, type WireupEnv } from "../env.ts";
import { SelfTransport } from "../transport/self.ts";
import { ZmqTransport } from "../transport/zmq.ts";
import { SameHostTransport } from "../transport/same-host.ts";
import { OwnInbox } from "../transport/inbox.ts";
import { shmModule } from "../shm/segment.ts";
import { readJobKey, ZapHandler, type JobKey } from "../wireup/auth.ts";
import { hostIdentity } from "../wireup/host-identity.ts";
import { sharedSegmentPrefix } from "../wireup/protocol.ts";
import { exchangeAddresses } from "../wireup/store.ts";
import { installFaultReporting } from "./fault.ts";
import type { Joining } from "./job-link.ts";
import { joinLauncher } from "./join-launcher.ts";
import { joinPmi2 } from "./join-pmi2.ts";
import { joinAtRank0 } from "./join-rank0.ts";
import { createPrivateDir, type PrivateDir } from "./private-dir.ts";
import { startSelfComm } from "./self.ts";
import { runtimeState, setRuntimeState } from "./state.ts";

/** How a process that belongs to a job of several ranks joins it. */
type JobWireup = Exclude<WireupEnv, { mode: "singleton" }>;

let world: Promise<Comm> | undefined;
let finalized = false;
let zap: ZapHandler | undefined;
let privateDir: PrivateDir | undefined;

/**
 * Joins the job and returns the world communicator. Every rank must call it; calling it again
 * returns the same communicator.
 *
 * How the ranks meet depends on how they were started:
 * - by `tsmpirun`: at tsmpirun's rendezvous (`TSMPI_RENDEZVOUS`);
 * - by `srun --mpi=pmi2` (or `srun --mpi=pmi2 tsmpirun --as-rank`): through Slurm's PMI-2 server
 *   (`PMI_FD`). Connections between hosts are not encrypted, since Slurm makes no key, unless
 *   `TSMPI_KEY_FILE` names a key file (`{"publicKey","secretKey"}`, Z85) that every rank reads;
 * - by the Kubernetes Job of `tsmpirun --emit k8s` (`TSMPI_WIREUP=rank0`): rank 0 serves the
 *   rendezvous, the others connect to it by its DNS name;
 * - by hand: a world of one rank. Several tasks of one srun step without PMI-2 (`srun -n 4` with no
 *   `--mpi=pmi2`) are refused with an `ERR_WIREUP` {@link TsmpiError} rather than run as 4 worlds of one.
 */
export function init(): Promise<Comm> {
  if (finalized) return Promise.reject(notUsable({ call: "init" }, "tsmpi has already been finalized"));
  world ??= start();
  return world;
}

async function start(): Promise<Comm> {
  installFaultReporting();
  const wireup = readWireupEnv();
  // zeromq.js holds the event loop only while a send or receive is pending (not while a socket
  // connects: zeromq.js#355). A loop that ran dry in wire-up would end the process with code 0 and
  // no word, and tsmpirun would report a rank that left wire-up unfinished; so init holds it.
  const keepAlive = setInterval(() => undefined, 60_000);
  let engine: Engine;
  try {
    engine = wireup.mode === "singleton" ? startSingleton() : await startInJob(wireup);
  } finally {
    clearInterval(keepAlive);
  }
  process.once("beforeExit", () => void finalize());
  startSelfComm(engine);
  return new Comm(worldCore(engine));
}

function startSingleton(): Engine {
  const engine = new Engine(0, 1);
  engine.attach(new SelfTransport(engine.deliver));
  setRuntimeState({ engine, link: undefined, host: hostname(), jobId: "" });
  return engine;
}

/** The same steps whoever started the job; only joining (job-link.ts) differs. */
async function startInJob(wireup: JobWireup): Promise<Engine> {
  const host = hostname();
  const via = wireupVia(wireup);
  let rank: number | undefined;
  try {
    const keyFile = wireup.job.keyFile;
    const key = keyFile === undefined ? undefined : readJobKey(keyFile);
    // Before any CURVE socket exists (rank 0's rendezvous included): libzmq asks it about each connection.
    if (key !== undefined) zap = await ZapHandler.start(key, (refusal) => reportRefusal(rank, host, refusal.address));
    const joining = await join(wireup, host, key);
    rank = joining.rank;
    const engine = new Engine(joining.rank, joining.size);
    // From here on a failure in this rank goes through the link (it ends a PMI-2 job, for one).
    setRuntimeState({ engine, link: joining.link, host, jobId: joining.jobId });
    privateDir = joining.jobDir === undefined ? createPrivateDir() : undefined;
    const sharedPrefix = sharedMemoryTransportAllowed() && joining.ipc ? sharedSegmentPrefix(joining.jobId, hostIdentity()) : undefined;
    // Before the address goes out: a peer may send as soon as it has it.
    const inbox = sharedPrefix === undefined ? undefined : await openInbox(sharedPrefix, joining.rank, joining.size);
    let sameHost: SameHostTransport | undefined;
    const { transport: sockets, address } = await ZmqTransport.bind({
      rank: joining.rank,
      jobDir: joining.jobDir ?? privateDir?.path ?? "",
      deliver: sharedPrefix === undefined ? engine.deliver : (frames) => sameHost!.fromSocket(frames),
      ipc: joining.ipc,
      tcpAddress: await joining.tcpAddress(),
      key,
      ringPrefix: sharedPrefix,
    });
    sockets.setPeers(await exchangeAddresses(joining.link.store, address));
    if (sharedPrefix !== undefined) {
      // Also without an inbox of its own: it still writes into its peers' (mapped on its first message to each).
      const localRanks = Array.from({ length: joining.size }, (_, r) => r).filter((r) => sockets.sameHost(r));
      sameHost = new SameHostTransport({ rank: joining.rank, socket: sockets, inbox, prefix: sharedPrefix, deliver: engine.deliver, localRanks, worldSize: joining.size });
      sockets.onWakeUp = sameHost.onWakeUp;
      // Nobody would remove an inbox name that a SIGKILL leaves: let the names go now.
      if (!joining.launcherRemovesSegments) sameHost.mapPeersNow();
    }
    engine.attach(sameHost ?? sockets);
    joining.link.wiredUp((peer) => engine.peerFinalizedElsewhere(peer));
    return engine;
  } catch (error) {
    if (error instanceof TsmpiError && error.code === "ERR_WIREUP") throw error;
    throw wireupFailed({ rank, call: "init" }, `wire-up ${via} failed: ${(error as Error).message}`, error);
  }
}

/**
 * This rank's shared-memory inbox (transport/inbox.ts), or `undefined` if shared memory cannot be
 * had here: then messages to this rank go through its socket, as with TSMPI_SHM=0.
 */
async function openInbox(prefix: string, rank: number, size: number): Promise<OwnInbox | undefined> {
  try {
    return OwnInbox.create(await shmModule(), prefix, rank, size, size);
  } catch {
    return undefined;
  }
}

function join(wireup: JobWireup, host: string, key: JobKey | undefined): Promise<Joining> {
  switch (wireup.mode) {
    case "launcher":
      return joinLauncher(wireup.job, host, key);
    case "pmi2":
      return joinPmi2(wireup.job);
    case "rank0":
      return joinAtRank0(wireup.job, host, key);
  }
}

/** Says where wire-up went wrong, in messages. */
function wireupVia(wireup: JobWireup): string {
  switch (wireup.mode) {
    case "launcher":
      return "with tsmpirun";
    case "pmi2":
      return "through Slurm's PMI-2 server";
    case "rank0":
      return `at rank 0's rendezvous ${wireup.job.rendezvous}`;
  }
}

function reportRefusal(rank: number | undefined, host: string, from: string): void {
  const who = rank === undefined ? `tsmpi: ${host}` : `tsmpi: rank ${rank} on ${host}`;
  process.stderr.write(`${who}: refused a connection from ${from}: it did not present this job's key\n`);
}

/**
 * Leaves the job: hands every queued message to the transport, closes this rank's sockets and tells
 * the launcher (or Slurm). Not collective: it does not wait for the other ranks. Later calls do
 * nothing; any communication after it fails with ERR_STATE.
 */
export async function finalize(): Promise<void> {
  if (finalized) return;
  finalized = true;
  const state = runtimeState();
  if (world === undefined || state === undefined) return;
  state.link?.sendTrace?.();
  await state.engine.finalize((others) => state.link?.finalizing?.(others));
  await state.link?.finalize();
  zap?.close();
  privateDir?.remove();
}
