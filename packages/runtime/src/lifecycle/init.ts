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
import { readJobEnv, sharedMemoryTransportAllowed, type JobEnv } from "../env.ts";
import { SelfTransport } from "../transport/self.ts";
import { ZmqTransport } from "../transport/zmq.ts";
import { readJobKey, ZapHandler } from "../wireup/auth.ts";
import { sharedSegmentPrefix } from "../wireup/protocol.ts";
import { exchangeAddresses } from "../wireup/store.ts";
import { installFaultReporting } from "./fault.ts";
import { joinLauncher } from "./join-launcher.ts";
import { runtimeState, setRuntimeState } from "./state.ts";

let world: Promise<Comm> | undefined;
let finalized = false;
let zap: ZapHandler | undefined;

/**
 * Joins the job and returns the world communicator. Every rank must call it; calling it again
 * returns the same communicator.
 *
 * Started by tsmpirun, it meets the other ranks at tsmpirun's rendezvous (`TSMPI_RENDEZVOUS`);
 * started by hand, it returns a world of one rank.
 */
export function init(): Promise<Comm> {
  if (finalized) return Promise.reject(notUsable({ call: "init" }, "tsmpi has already been finalized"));
  world ??= start();
  return world;
}

async function start(): Promise<Comm> {
  installFaultReporting();
  const job = readJobEnv();
  const engine = job === undefined ? startSingleton() : await startInJob(job);
  process.once("beforeExit", () => void finalize());
  return new Comm(worldCore(engine));
}

function startSingleton(): Engine {
  const engine = new Engine(0, 1);
  engine.attach(new SelfTransport(engine.deliver));
  setRuntimeState({ engine, link: undefined, host: hostname(), jobId: "" });
  return engine;
}

/** Joins (job-link.ts), binds this rank's sockets and exchanges addresses. */
async function startInJob(job: JobEnv): Promise<Engine> {
  const host = hostname();
  let rank: number | undefined;
  try {
    const keyFile = job.keyFile;
    const key = keyFile === undefined ? undefined : readJobKey(keyFile);
    // Before any CURVE socket exists (rank 0's rendezvous included): libzmq asks it about each connection.
    if (key !== undefined) zap = await ZapHandler.start(key, (refusal) => reportRefusal(rank, host, refusal.address));
    const joining = await joinLauncher(job, host, key);
    rank = joining.rank;
    const engine = new Engine(joining.rank, joining.size);
    // From here on a failure in this rank goes through the link (it ends a PMI-2 job, for one).
    setRuntimeState({ engine, link: joining.link, host, jobId: joining.jobId });
    const { transport, address } = await ZmqTransport.bind({
      rank: joining.rank,
      jobDir: joining.jobDir ?? "",
      deliver: engine.deliver,
      ipc: joining.ipc,
      tcpAddress: await joining.tcpAddress(),
      key,
      ringPrefix: sharedMemoryTransportAllowed() ? sharedSegmentPrefix(joining.jobId) : undefined,
    });
    transport.setPeers(await exchangeAddresses(joining.link.store, address));
    engine.attach(transport);
    joining.link.wiredUp();
    return engine;
  } catch (error) {
    if (error instanceof TsmpiError && error.code === "ERR_WIREUP") throw error;
    throw wireupFailed({ rank, call: "init" }, `wire-up with tsmpirun failed: ${(error as Error).message}`, error);
  }
}

function reportRefusal(rank: number | undefined, host: string, from: string): void {
  const who = rank === undefined ? `tsmpi: ${host}` : `tsmpi: rank ${rank} on ${host}`;
  process.stderr.write(`${who}: refused a connection from ${from}: it did not present this job's key\n`);
}

/**
 * Leaves the job: hands every queued message to the transport, closes this rank's sockets and tells
 * the launcher. Not collective: it does not wait for the other ranks. Later calls do
 * nothing; any communication after it fails with ERR_STATE.
 */
export async function finalize(): Promise<void> {
  if (finalized) return;
  finalized = true;
  const state = runtimeState();
  if (world === undefined || state === undefined) return;
  await state.engine.finalize();
  await state.link?.finalize();
  zap?.close();
}
