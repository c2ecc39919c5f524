/**
 * tsmpi ping-pong, 2 ranks: half round-trip latency and streaming bandwidth for Float64Array
 * payloads and a small object, through `world.send`/`recv`/`isend`. Rank 0 prints one JSON line
 * (`ProgramResult`) on stdout. Started by run.ts through the launcher; by hand:
 *   node packages/launcher/bin/tsmpirun.js -n 2 bench/pingpong/tsmpi-pingpong.ts [--quick] [--sizes=8,4096]
 */
import { init, waitAll } from "@tsmpi/runtime";
import {
  cases,
  describe,
  halfRttUs,
  latencyPlan,
  makeObject,
  median,
  parseOptions,
  pinSelf,
  progress,
  streamPlan,
  type Case,
  type CaseResult,
} from "./common.ts";

const PING = 1;
const STREAM = 2;
const ACK = 3;

const options = parseOptions(process.argv.slice(2));
const world = await init();
if (world.size !== 2) throw new Error(`tsmpi-pingpong needs exactly 2 ranks, got ${world.size}`);
const { rank } = world;
const peer = 1 - rank;
const pinned = pinSelf(options.pin?.[rank]);

function payloadFor(c: Case, i: number): unknown {
  return c.bytes === 0 ? makeObject(i) : new Float64Array(c.bytes / 8).fill(i);
}

async function latency(c: Case): Promise<number[]> {
  const { iterations, warmup } = latencyPlan(c, options.quick);
  const samples: number[] = [];
  const data = payloadFor(c, 1);
  if (rank === 1) {
    for (let i = 0; i < warmup + options.reps * iterations; i++) await world.send(await world.recv(0, PING), 0, PING);
    return samples;
  }
  for (let i = 0; i < warmup; i++) {
    await world.send(data, 1, PING);
    await world.recv(1, PING);
  }
  for (let r = 0; r < options.reps; r++) {
    const trips: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      await world.send(c.bytes === 0 ? makeObject(i) : data, 1, PING);
      await world.recv(1, PING);
      trips.push(halfRttUs(process.hrtime.bigint() - t0));
    }
    samples.push(median(trips));
  }
  return samples;
}

/** Rank 0 streams `window` messages with isend; rank 1 receives them all and acks once. */
async function bandwidth(c: Case): Promise<number[]> {
  const { window, windows, warmupWindows } = streamPlan(c, options.quick);
  const data = payloadFor(c, 2);
  const samples: number[] = [];
  const oneWindow = async (): Promise<void> => {
    if (rank === 1) {
      for (let i = 0; i < window; i++) await world.recv(0, STREAM);
      await world.send(0, 0, ACK);
      return;
    }
    const sends = [];
    for (let i = 0; i < window; i++) sends.push(world.isend(data, 1, STREAM));
    await waitAll(sends);
    await world.recv(1, ACK);
  };
  for (let w = 0; w < warmupWindows; w++) await oneWindow();
  for (let r = 0; r < options.reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let w = 0; w < windows; w++) await oneWindow();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // Arrays: MB/s (1e6 bytes); the object: thousands of messages per second.
    samples.push(c.bytes === 0 ? (window * windows) / seconds / 1e3 : (window * windows * c.bytes) / seconds / 1e6);
  }
  return samples;
}

const results: CaseResult[] = [];
for (const c of cases(options)) {
  const latencyUs = options.only === "bandwidth" ? [] : await latency(c);
  const bw = options.only === "latency" ? [] : await bandwidth(c);
  if (rank === 0) {
    progress(`  tsmpi ${c.label}: ${describe(latencyUs, bw, c.bytes)}`);
    results.push({ label: c.label, bytes: c.bytes, latencyUs, bandwidth: bw, wireBytes: c.bytes });
  }
}
if (rank === 0) {
  process.stdout.write(`${JSON.stringify({ impl: "tsmpi", pid: process.pid, pinned, node: process.version, cases: results })}\n`);
}
