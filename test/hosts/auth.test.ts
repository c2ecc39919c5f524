/**
 * Across hosts a job listens on tcp: the rendezvous (tsmpirun) and every rank. With the default
 * `--auth curve` only the job's own processes may connect (CURVE with a key made for the job, and
 * a ZAP handler that admits only that key). Here a rogue client on the launcher's host, which
 * knows the endpoints but not the key, connects to the rendezvous (a DEALER sending a fake `fence`
 * and junk) and to rank 0 (a PUSH sending junk), while the job (hosts-wait-for-file.ts) waits for
 * the test to finish; the job must then end as if nothing had happened. With `--auth none` the
 * same plain client gets in, which shows the checks can fail.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import * as zmq from "zeromq";
import { beforeAll, describe, expect, test } from "vitest";
import { HOST_ADDRESS, onCluster, processesWithEnv, requireCluster, skipCluster, withClusterShared } from "../helpers/cluster.ts";
import { fixture } from "../helpers/paths.ts";
import { startTsmpirun, type TsmpirunResult } from "../helpers/tsmpirun.ts";

/** What the rogue knows of the server's key. */
type RogueKey = "plain" | "random server key" | "own key as server key" | "the job's public key";
const UNKNOWN_KEYS: RogueKey[] = ["plain", "random server key", "own key as server key"];

interface Attempt {
  key: RogueKey;
  target: "rendezvous" | "rank 0";
  /** The connection's events as the rogue saw them ("handshake" is a successful one). */
  events: string[];
}

interface HeldJob {
  run: TsmpirunResult;
  attempts: Attempt[];
}

const FAKE_FENCE = Buffer.from(JSON.stringify({ type: "fence", rank: 0 }));
const JUNK = Buffer.concat([Buffer.from([0xff, 0x00, 0x93]), randomBytes(32)]);
/** How long a rogue keeps trying (libzmq reconnects every 100 ms after a failed handshake). */
const ATTEMPT_MS = 1_500;

/**
 * One rogue connection: connects, sends its junk (to the rendezvous also a fake `fence` of rank
 * 0, unless `junkOnly`), watches what happens, and gives up.
 */
async function rogue(key: RogueKey, target: Attempt["target"], endpoint: string, jobPublicKey?: string, junkOnly = false): Promise<Attempt> {
  const own = zmq.curveKeyPair();
  const serverKey = { plain: undefined, "random server key": zmq.curveKeyPair().publicKey, "own key as server key": own.publicKey, "the job's public key": jobPublicKey }[key];
  const options = serverKey === undefined ? { linger: 0 } : { linger: 0, curveServerKey: serverKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey };
  const socket = target === "rendezvous" ? new zmq.Dealer(options) : new zmq.Push(options);
  const events: string[] = [];
  void (async () => {
    for await (const event of socket.events) events.push(event.type);
  })().catch(() => undefined);
  socket.connect(endpoint);
  // Nothing is sent before a handshake succeeds: these only queue unless the server lets us in.
  for (const frame of target === "rendezvous" && !junkOnly ? [FAKE_FENCE, JUNK] : [JUNK]) void socket.send(frame).catch(() => undefined);
  await delay(ATTEMPT_MS);
  socket.close();
  return { key, target, events: [...new Set(events)] };
}

/** The job's public key, as a rogue that read it somewhere would know it (from a rank's key file). */
function jobPublicKey(jobId: string): string {
  const [pid] = processesWithEnv(`TSMPI_JOB_ID=${jobId}`);
  if (pid === undefined) throw new Error(`no rank of job ${jobId} found`);
  const keyFile = /(?:^|\0)TSMPI_KEY_FILE=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, "latin1"))?.[1];
  if (keyFile === undefined) throw new Error(`rank pid ${pid} has no TSMPI_KEY_FILE`);
  return (JSON.parse(readFileSync(keyFile, "utf8")) as { publicKey: string }).publicKey;
}

/**
 * Runs hosts-wait-for-file.ts on six ranks of three hosts (rank 0 on n1), lets `poke` try its
 * rogues while rank 0 waits, then lets the job finish.
 */
async function heldJob(
  extra: string[],
  poke: (where: { rendezvous: string; rank0: string; jobId: string; stderrSoFar: () => string }) => Promise<Attempt[]>,
): Promise<HeldJob> {
  return withClusterShared(() => runHeldJob(extra, poke));
}

async function runHeldJob(extra: string[], poke: Parameters<typeof heldJob>[1]): Promise<HeldJob> {
  const dir = mkdtempSync(join(tmpdir(), "tsmpi-auth-"));
  const go = join(dir, "go");
  try {
    const running = startTsmpirun(onCluster("--timeout", "60", "-n", "6", "--host", "n1:2,n2:2,n3:2", ...extra, fixture("hosts-wait-for-file"), go));
    const [, jobId, rendezvous, rank0] = await running.waitForStdout(/job=(\S+) rendezvous=(tcp:\S+) tcp=(tcp:\S+) ready/);
    let attempts: Attempt[];
    try {
      attempts = await poke({ rendezvous: rendezvous!, rank0: rank0!, jobId: jobId!, stderrSoFar: running.stderrSoFar });
    } finally {
      writeFileSync(go, "");
    }
    return { run: await running.result, attempts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function explain(run: TsmpirunResult): string {
  return `exit ${run.exitCode ?? run.signal}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

const succeeded = (attempt: Attempt): boolean => attempt.events.includes("handshake");

describe.skipIf(skipCluster("test/hosts/auth.test.ts"))("a rogue client that knows a job's endpoints but not its key", () => {
  beforeAll(requireCluster);

  describe("with --auth curve (the default)", () => {
    let job: HeldJob;
    /** tsmpirun's stderr up to the moment the rogues with unknown keys had given up. */
    let stderrAfterUnknownKeys: string;

    beforeAll(async () => {
      job = await heldJob([], async ({ rendezvous, rank0, jobId, stderrSoFar }) => {
        expect(rank0).toMatch(new RegExp(`^tcp://${HOST_ADDRESS.n1.replace(/\./g, "\\.")}:\\d+$`));
        const unknown = await Promise.all(UNKNOWN_KEYS.flatMap((key) => [rogue(key, "rendezvous", rendezvous), rogue(key, "rank 0", rank0)]));
        // Time for a report to travel (rank 0's stderr comes through its agent and ssh).
        await delay(500);
        stderrAfterUnknownKeys = stderrSoFar();
        const leaked = jobPublicKey(jobId);
        const known = await Promise.all([rogue("the job's public key", "rendezvous", rendezvous, leaked), rogue("the job's public key", "rank 0", rank0, leaked)]);
        return [...unknown, ...known];
      });
    }, 60_000);

    test("the job finishes as if nothing had happened", () => {
      expect(job.run.exitCode, explain(job.run)).toBe(0);
      expect(job.run.stdout).toContain("sum=21");
      // The fake fence and the junk never reached the rendezvous.
      expect(job.run.stderr).not.toMatch(/unreadable rendezvous message|invalid rank|unknown rendezvous message/);
    });

    test("no rogue completes a handshake, whatever it guesses of the server's key", () => {
      expect(job.attempts).toHaveLength(UNKNOWN_KEYS.length * 2 + 2);
      for (const attempt of job.attempts) {
        expect(succeeded(attempt), `${attempt.key} to ${attempt.target}: ${attempt.events.join(", ")}`).toBe(false);
        expect(attempt.events.some((type) => type.startsWith("handshake:error")), `${attempt.key} to ${attempt.target}: ${attempt.events.join(", ")}`).toBe(true);
      }
    });

    test("a client with the job's public key but its own secret key is refused by ZAP, and that is reported", () => {
      const known = job.attempts.filter((attempt) => attempt.key === "the job's public key");
      for (const attempt of known) expect(attempt.events, attempt.target).toContain("handshake:error:auth");
      expect(job.run.stderr).toContain("tsmpirun: refused a connection to the rendezvous from 10.201.0.1: it did not present this job's key");
      expect(job.run.stderr).toContain("tsmpi: rank 0 on n1: refused a connection from 10.201.0.1: it did not present this job's key");
    });

    // A client that does not know the server's public key (plain, or CURVE with a wrong server
    // key) fails in the handshake before ZAP is asked. The rendezvous watches its socket's monitor
    // for that (libzmq names no peer address there); ranks do not (a monitor keeps a receive
    // pending, which would keep a finished rank alive), so a rank's refusals of such clients are
    // silent: the connection simply never works.
    test("refusals of clients that do not know the server key are reported by tsmpirun", () => {
      expect(stderrAfterUnknownKeys).toContain(
        "tsmpirun: refused a connection to the rendezvous: the client failed the CURVE handshake (it does not know this job's key)",
      );
    });
  });

  test("with --auth none, the same plain client gets in (so the checks above can fail)", async () => {
    // Junk only: a fake fence would get in too and stall the job's end (see the rendezvous' stall check).
    const job = await heldJob(["--auth", "none"], async ({ rendezvous }) => [await rogue("plain", "rendezvous", rendezvous, undefined, true)]);
    expect(job.attempts[0]!.events).toContain("handshake");
    // Its junk reached the rendezvous, which says so (and otherwise ignores it).
    expect(job.run.stderr).toContain("unreadable rendezvous message");
    expect(job.run.stdout).toContain("sum=21");
    expect(job.run.exitCode, explain(job.run)).toBe(0);
  });
});
