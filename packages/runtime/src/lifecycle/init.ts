/**
 * `init` and `finalize` (MPI_Init / MPI_Finalize). Started by tsmpirun, `init` binds this rank's
 * socket, meets the other ranks at the launcher's rendezvous and returns the world communicator;
 * started by hand, it returns a world of one rank. A program that never calls `finalize` is
 * finalized when its event loop runs dry, after its queued messages have been handed over.
 */
import { hostname } from "node:os";
import { Comm } from "../comm/comm.ts";
import { worldCore } from "../core/comm-core.ts";
import { Engine } from "../engine/engine.ts";
import { notUsable, wireupFailed } from "../errors.ts";
import { readJobEnv, sharedMemoryTransportAllowed, type JobEnv } from "../env.ts";
import { SelfTransport } from "../transport/self.ts";
import { ZmqTransport } from "../transport/zmq.ts";
import { readJobKey, ZapHandler } from "../wireup/auth.ts";
import { endpointHost, routeSourceAddress } from "../wireup/bind-address.ts";
import { WireupClient } from "../wireup/client.ts";
import { sharedSegmentPrefix } from "../wireup/protocol.ts";
import { exchangeAddresses } from "../wireup/store.ts";
import { installFaultReporting } from "./fault.ts";
import { exitWhenOrphaned } from "./orphan-watch.ts";
import { runtimeState, setRuntimeState } from "./state.ts";

let world: Promise<Comm> | undefined;
let finalized = false;

/**
 * Joins the job and returns the world communicator. Every rank must call it; calling it again
 * returns the same communicator.
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
  setRuntimeState({ engine, client: undefined, host: hostname() });
  return engine;
}

async function startInJob(job: JobEnv): Promise<Engine> {
  const host = hostname();
  const engine = new Engine(job.rank, job.size);
  exitWhenOrphaned(job.rank);
  const key = job.keyFile === undefined ? undefined : readJobKey(job.keyFile);
  if (key !== undefined) zap = await ZapHandler.start(key, (refusal) => reportRefusal(job.rank, host, refusal.address));
  const client = await WireupClient.connect({ endpoint: job.rendezvous, rank: job.rank, size: job.size, hello: { pid: process.pid, host }, key });
  setRuntimeState({ engine, client, host });
  try {
    const { transport, address } = await ZmqTransport.bind({
      rank: job.rank,
      jobDir: job.jobDir,
      deliver: engine.deliver,
      ipc: job.transport === "ipc",
      tcpAddress: await tcpAddressOf(job),
      key,
      ringPrefix: sharedMemoryTransportAllowed() ? sharedSegmentPrefix(job.jobId) : undefined,
    });
    const addresses = await exchangeAddresses(client, address);
    transport.setPeers(addresses);
    engine.attach(transport);
    return engine;
  } catch (error) {
    throw wireupFailed({ rank: job.rank, call: "init" }, `wire-up with tsmpirun failed: ${(error as Error).message}`, error);
  }
}

let zap: ZapHandler | undefined;

/** Where this rank listens for ranks of other hosts; `undefined`: it needs no tcp. */
async function tcpAddressOf(job: JobEnv): Promise<string | undefined> {
  if (job.bindAddress === "auto") {
    const rendezvousHost = endpointHost(job.rendezvous);
    if (rendezvousHost === undefined) throw new Error(`cannot choose a tcp address from rendezvous ${job.rendezvous}`);
    return routeSourceAddress(rendezvousHost);
  }
  if (job.bindAddress !== undefined) return job.bindAddress;
  return job.transport === "tcp" ? "127.0.0.1" : undefined;
}

function reportRefusal(rank: number, host: string, from: string): void {
  process.stderr.write(`tsmpi: rank ${rank} on ${host}: refused a connection from ${from}: it did not present this job's key\n`);
}


/**
 * Leaves the job: hands every queued message to the transport, closes this rank's sockets and tells
 * the launcher. Not collective: it does not wait for the other ranks. Later calls do nothing; any
 * communication after it fails with ERR_STATE.
 */
export async function finalize(): Promise<void> {
  if (finalized) return;
  finalized = true;
  const state = runtimeState();
  if (world === undefined || state === undefined) return;
  await state.engine.finalize();
  if (state.client !== undefined) {
    await state.client.send({ type: "finalize", rank: state.engine.worldRank });
    state.client.close();
  }
  zap?.close();
}
