/**
 * The floor: bare zeromq.js between two processes, with the socket types tsmpi's transport uses
 * (each side binds a PULL over ipc and pushes to the other's with a PUSH, high-water mark 0), the
 * same payloads, plan and statistics as tsmpi-pingpong.ts. One frame per message, no header, no
 * copy on send; the object travels as JSON. Side 0 spawns side 1 and prints one JSON line
 * (`ProgramResult`) on stdout:
 *   node --import tsx bench/pingpong/zmq-pingpong.ts [--quick] [--sizes=8,4096] [--pin=0,0]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";
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

const argv = process.argv.slice(2);
const options = parseOptions(argv);
const roleArg = argv.find((a) => a.startsWith("--role="));
const side = roleArg === undefined ? 0 : Number(roleArg.slice("--role=".length));
const dirArg = argv.find((a) => a.startsWith("--dir="));
const dir = dirArg?.slice("--dir=".length) ?? mkdtempSync(join(tmpdir(), "zmq-pingpong-"));

let partner: ReturnType<typeof spawn> | undefined;
if (side === 0) {
  const self = fileURLToPath(import.meta.url);
  partner = spawn(process.execPath, [...process.execArgv, self, ...argv, "--role=1", `--dir=${dir}`], { stdio: "inherit" });
}
const pinned = pinSelf(options.pin?.[side]);

const pull = new zmq.Pull({ receiveHighWaterMark: 0, linger: 0 });
await pull.bind(`ipc://${dir}/side-${side}.sock`);
const push = new zmq.Push({ sendHighWaterMark: 0, linger: 0 });
push.connect(`ipc://${dir}/side-${1 - side}.sock`);

// Handshake: side 1 is ready once both its sockets exist; side 0 waits for it.
if (side === 1) await push.send("ready");
else await pull.receive();

const encode = (c: Case, value: unknown): Buffer => {
  if (c.bytes === 0) return Buffer.from(JSON.stringify(value));
  const array = value as Float64Array;
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
};
const decode = (c: Case, frame: Buffer): unknown => {
  if (c.bytes === 0) return JSON.parse(frame.toString());
  // As tsmpi does: a view when aligned, else one copy.
  if (frame.byteOffset % 8 === 0) return new Float64Array(frame.buffer, frame.byteOffset, frame.byteLength / 8);
  return new Float64Array(new Uint8Array(frame).slice().buffer);
};
const receive = async (c: Case): Promise<unknown> => decode(c, (await pull.receive())[0]!);
const payloadFor = (c: Case, i: number): unknown => (c.bytes === 0 ? makeObject(i) : new Float64Array(c.bytes / 8).fill(i));

async function latency(c: Case): Promise<number[]> {
  const { iterations, warmup } = latencyPlan(c, options.quick);
  const samples: number[] = [];
  const data = payloadFor(c, 1);
  if (side === 1) {
    for (let i = 0; i < warmup + options.reps * iterations; i++) await push.send(encode(c, await receive(c)));
    return samples;
  }
  for (let i = 0; i < warmup; i++) {
    await push.send(encode(c, data));
    await receive(c);
  }
  for (let r = 0; r < options.reps; r++) {
    const trips: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      await push.send(encode(c, c.bytes === 0 ? makeObject(i) : data));
      await receive(c);
      trips.push(halfRttUs(process.hrtime.bigint() - t0));
    }
    samples.push(median(trips));
  }
  return samples;
}

async function bandwidth(c: Case): Promise<number[]> {
  const { window, windows, warmupWindows } = streamPlan(c, options.quick);
  const data = payloadFor(c, 2);
  const samples: number[] = [];
  const oneWindow = async (): Promise<void> => {
    if (side === 1) {
      for (let i = 0; i < window; i++) await receive(c);
      await push.send("ack");
      return;
    }
    // zeromq.js allows one pending send per socket: queue them one after the other.
    for (let i = 0; i < window; i++) await push.send(encode(c, data));
    await pull.receive();
  };
  for (let w = 0; w < warmupWindows; w++) await oneWindow();
  for (let r = 0; r < options.reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let w = 0; w < windows; w++) await oneWindow();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    samples.push(c.bytes === 0 ? (window * windows) / seconds / 1e3 : (window * windows * c.bytes) / seconds / 1e6);
  }
  return samples;
}

const results: CaseResult[] = [];
try {
  for (const c of cases(options)) {
    const latencyUs = options.only === "bandwidth" ? [] : await latency(c);
    const bw = options.only === "latency" ? [] : await bandwidth(c);
    if (side === 0) {
      progress(`  zmq   ${c.label}: ${describe(latencyUs, bw, c.bytes)}`);
      results.push({ label: c.label, bytes: c.bytes, latencyUs, bandwidth: bw, wireBytes: c.bytes });
    }
  }
} finally {
  push.close();
  pull.close();
}
if (side === 0) {
  await new Promise<void>((resolve) => (partner!.exitCode !== null ? resolve() : partner!.once("exit", () => resolve())));
  rmSync(dir, { recursive: true, force: true });
  if (partner!.exitCode !== 0) throw new Error(`zmq-pingpong side 1 exited with ${partner!.exitCode}`);
  process.stdout.write(`${JSON.stringify({ impl: "zmq", pid: process.pid, pinned, node: process.version, cases: results })}\n`);
}
