/**
 * tsmpirun across hosts over ssh, on the three-host test cluster of test/cluster/up.sh: real
 * tsmpirun, real ssh, real agents and ranks on n1, n2 and n3 (test/helpers/cluster.ts). Jobs that
 * work: where ranks run (--map-by, --hostfile, the launcher's own host), what they compute
 * (allreduce, heat against a one-host run, a 16 MB message, messages sent just before exit),
 * and jobs refused before or at start (too many ranks, a shared-memory program, a path that one
 * host lacks).
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { onCluster, privateDir, requireCluster, skipCluster, withClusterShared } from "../helpers/cluster.ts";
import { exampleProgram, fixture, repoRoot } from "../helpers/paths.ts";
import { expectAllLines, peakKb } from "../helpers/flood.ts";
import { expectWholeLines, LONG_BYTES, SHORTS } from "../helpers/long-lines.ts";
import { runTsmpirun, type TsmpirunResult } from "../helpers/tsmpirun.ts";

const HOSTS_6 = "n1:2,n2:2,n3:2";

function explain(run: TsmpirunResult): string {
  return `exit ${run.exitCode ?? run.signal}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/**
 * The tests run concurrently, two jobs at a time: a job spends much of its time waiting (ssh,
 * Node starting up), and the file's wall time counts against the suite's.
 */
const JOBS_AT_ONCE = 2;
let jobsRunning = 0;
const jobsWaiting: (() => void)[] = [];

async function inTurn<T>(body: () => Promise<T>): Promise<T> {
  while (jobsRunning >= JOBS_AT_ONCE) await new Promise<void>((resolve) => jobsWaiting.push(resolve));
  jobsRunning++;
  try {
    return await body();
  } finally {
    jobsRunning--;
    jobsWaiting.shift()?.();
  }
}

/** Runs tsmpirun on the cluster (in turn) and prints how long the job took. */
async function timed(label: string, args: string[], options: Parameters<typeof runTsmpirun>[1] = {}): Promise<TsmpirunResult> {
  return inTurn(() =>
    withClusterShared(async () => {
      const started = performance.now();
      // A hung job ends with 124 instead of the test's timeout.
      const run = await runTsmpirun(onCluster("--timeout", "60", ...args), options);
      console.log(`${label}: exit ${run.exitCode ?? run.signal} in ${Math.round(performance.now() - started)} ms`);
      return run;
    }),
  );
}

/** Rank -> host from hello-hosts.ts lines `rank R of N on HOST sum=S`, and the sums they printed. */
function hello(run: TsmpirunResult): { hosts: string[]; sums: number[]; sizes: number[] } {
  const hosts: string[] = [];
  const sums: number[] = [];
  const sizes: number[] = [];
  for (const match of run.stdout.matchAll(/^rank (\d+) of (\d+) on (\S+) sum=(\d+)$/gm)) {
    const rank = Number(match[1]);
    sizes[rank] = Number(match[2]);
    hosts[rank] = match[3]!;
    sums[rank] = Number(match[4]);
  }
  return { hosts, sums, sizes };
}

/** The lines heat.ts prints that must be bitwise the same on every process grid. */
function heatResult(run: TsmpirunResult): { mean: string | undefined; checksum: string | undefined } {
  return {
    mean: /^final mean temperature .*$/m.exec(run.stdout)?.[0],
    checksum: /^checksum .*$/m.exec(run.stdout)?.[0],
  };
}

const HEAT_ARGS = ["--nx", "256", "--ny", "256", "--steps", "100", "--checksum"];

describe.skipIf(skipCluster("test/hosts/ssh.test.ts")).concurrent("tsmpirun over ssh on three hosts", () => {
  beforeAll(requireCluster);

  describe("where ranks run", () => {
    test.each([
      ["slot", ["n1", "n1", "n2", "n2", "n3", "n3"]],
      ["node", ["n1", "n2", "n3", "n1", "n2", "n3"]],
    ])("-n 6 --map-by %s puts each rank on its host, and allreduce sums over all", async (mapBy, expected) => {
      const run = await timed(`hello --map-by ${mapBy}`, ["-n", "6", "--host", HOSTS_6, "--map-by", mapBy, fixture("hello-hosts")]);
      expect(run.exitCode, explain(run)).toBe(0);
      const { hosts, sums, sizes } = hello(run);
      expect(hosts).toEqual(expected);
      expect(sizes).toEqual(Array(6).fill(6));
      expect(sums).toEqual(Array(6).fill(21));
      expect(run.tmpLeftovers).toEqual([]);
    });

    test("the launcher's own host takes part without ssh (--host localhost:2,n2:2,n3:2)", async () => {
      const run = await timed("hello on localhost,n2,n3", ["-n", "6", "--host", "localhost:2,n2:2,n3:2", fixture("hello-hosts")]);
      expect(run.exitCode, explain(run)).toBe(0);
      const { hosts, sums } = hello(run);
      expect(hosts).toEqual([hostname(), hostname(), "n2", "n2", "n3", "n3"]);
      expect(sums).toEqual(Array(6).fill(21));
    });

    test("--auth none works too", async () => {
      const run = await timed("hello --auth none", ["-n", "6", "--host", HOSTS_6, "--auth", "none", fixture("hello-hosts")]);
      expect(run.exitCode, explain(run)).toBe(0);
      expect(hello(run).sums).toEqual(Array(6).fill(21));
      expect(run.stderr).not.toContain("refused");
    });

    test("--hostfile with comments, blank lines and every form of entry; -n defaults to its slots", async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsmpi-hostfile-"));
      try {
        const file = join(dir, "hosts");
        writeFileSync(file, ["# the test cluster", "n1 slots=2   # two ranks here", "", "n2:2", "   # indented comment", "n3", ""].join("\n"));
        const run = await timed("hello --hostfile", ["--hostfile", file, fixture("hello-hosts")]);
        expect(run.exitCode, explain(run)).toBe(0);
        const { hosts, sums } = hello(run);
        expect(hosts).toEqual(["n1", "n1", "n2", "n2", "n3"]);
        expect(sums).toEqual(Array(5).fill(15));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("7 ranks on 6 slots exit 2 with the table of hosts and slots; --oversubscribe runs them", async () => {
      const refused = await timed("7 ranks, 6 slots", ["-n", "7", "--host", HOSTS_6, fixture("hello-hosts")]);
      expect(refused.exitCode, explain(refused)).toBe(2);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toContain("tsmpirun: 7 ranks do not fit in the 6 slots of 3 hosts; no ranks were started");
      expect(refused.stderr).toMatch(/^ +host +slots +from$/m);
      for (const host of ["n1", "n2", "n3"]) expect(refused.stderr).toMatch(new RegExp(`^ +${host} +2 +--host$`, "m"));
      expect(refused.stderr).toContain("--oversubscribe");

      const run = await timed("7 ranks --oversubscribe", ["-n", "7", "--oversubscribe", "--host", HOSTS_6, fixture("hello-hosts")]);
      expect(run.exitCode, explain(run)).toBe(0);
      const { hosts, sums } = hello(run);
      // Slots first, then the extra rank dealt round robin from the first host.
      expect(hosts).toEqual(["n1", "n1", "n2", "n2", "n3", "n3", "n1"]);
      expect(sums).toEqual(Array(7).fill(28));
    });
  });

  describe("what ranks compute", () => {
    test("heat on three hosts prints the same final mean and checksum as on one host (p2p and darray)", async () => {
      const oneHost = await inTurn(() => runTsmpirun(["-n", "6", exampleProgram("heat.ts"), ...HEAT_ARGS]));
      expect(oneHost.exitCode, explain(oneHost)).toBe(0);
      const expected = heatResult(oneHost);
      expect(expected.mean).toMatch(/^final mean temperature \d/);
      expect(expected.checksum).toMatch(/^checksum sum=\S+ sha256=[0-9a-f]{64}$/);
      for (const variant of ["p2p", "darray"]) {
        const run = await timed(`heat --variant ${variant}`, ["--host", HOSTS_6, exampleProgram("heat.ts"), ...HEAT_ARGS, "--variant", variant]);
        expect(run.exitCode, explain(run)).toBe(0);
        expect(run.stdout).toContain("6 ranks as 3 x 2");
        expect(heatResult(run), variant).toEqual(expected);
      }
    });

    test("heat --variant shared on three hosts fails, saying shared memory needs one host", async () => {
      const run = await timed("heat --variant shared", ["--host", HOSTS_6, exampleProgram("heat.ts"), ...HEAT_ARGS, "--variant", "shared"]);
      expect(run.exitCode, explain(run)).not.toBe(0);
      expect(run.stderr).toMatch(/shared memory needs every rank of the communicator on one host \(size 6\): ranks 0, 1 on n1; ranks 2, 3 on n2; ranks 4, 5 on n3/);
    });

    test("2,000,000 Float64 cross from n1 to n3 and back intact", async () => {
      const run = await timed("2e6 Float64 n1 <-> n3", ["-n", "2", "--host", "n1,n3", fixture("hosts-large")]);
      expect(run.exitCode, explain(run)).toBe(0);
      expect(run.stdout).toContain("large ok from=0 to=1 host=n3 bytes=16000000");
      expect(run.stdout).toContain("large ok from=1 to=0 host=n1 bytes=16000000");
    });

    // Ranks 1 and 2 share n2's agent: while one streams its long line, the other's output waits
    // and only that rank's pipe is paused, not the agent's whole stream (which would stall the line).
    test("8 MB lines from 2 ranks on one host arrive as one prefixed line each, among short lines of ranks on 3 hosts", async () => {
      const run = await timed("long lines", ["-n", "4", "--host", "localhost:1,n2:2,n3:1", "--tag-output", fixture("long-lines"), "ok", String(LONG_BYTES), "1,2,3", String(SHORTS)]);
      expect(run.exitCode, explain(run).slice(0, 2000)).toBe(0);
      expectWholeLines(run.stdout, [0, 1, 2, 3], [1, 2, 3], { tag: true });
    });

    test("with tsmpirun's reader stalled, launcher, agents and ranks stay bounded, and every line arrives whole", async () => {
      const [count, width] = [15_000, 1000];
      const peaks = await inTurn(() =>
        withClusterShared(async () => {
          const child = spawn(process.execPath, [join(repoRoot, "packages/launcher/bin/tsmpirun.js"), ...onCluster("--timeout", "60", "-n", "4", "--host", "n2:2,n3:2", fixture("flood"), String(count), String(width))], {
            cwd: repoRoot,
            stdio: ["ignore", "pipe", "ignore"],
          });
          child.stdout.pause();
          const seen = new Map<number, { what: string; peakKb: number }>();
          const sample = (): void => {
            for (const [pid, what] of [[child.pid!, "launcher"] as const, ...agentsAndRanks()]) {
              const kb = peakKb(pid);
              if (kb > (seen.get(pid)?.peakKb ?? 0)) seen.set(pid, { what, peakKb: kb });
            }
          };
          // ssh and the agents take a few seconds to start: sample for 3 s once the 4 ranks run.
          const ranks = (): number => [...seen.values()].filter(({ what }) => what === "rank").length;
          for (let index = 0; index < 200 && ranks() < 4; index++) {
            await delay(100);
            sample();
          }
          for (let index = 0; index < 30; index++) {
            await delay(100);
            sample();
          }
          const chunks: Buffer[] = [];
          child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk)).resume();
          expect(await new Promise((resolve) => child.once("close", resolve))).toBe(0);
          expectAllLines(chunks, 4, count, width);
          return [...seen.values()];
        }),
      );
      expect(peaks.filter(({ what }) => what === "agent").length).toBeGreaterThanOrEqual(2);
      expect(peaks.filter(({ what }) => what === "rank").length).toBeGreaterThanOrEqual(4);
      // 60 MB printed in all, held back: ranks, agents and launcher each stay near 60-120 MB.
      expect(peaks.filter(({ peakKb }) => peakKb > 200 * 1024)).toEqual([]);
    });

    // finalize() resolves only once every peer has confirmed it holds what this rank sent (a
    // FLUSH after the last message on each link): zeromq.js flushes its queues on a natural exit
    // only, and process.exit right after finalize used to lose messages still queued in libzmq.
    test("messages sent just before finalize() and process.exit(0) all arrive on the other host", async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        const run = await timed(`send then exit, attempt ${attempt}`, ["-n", "6", "--host", HOSTS_6, fixture("hosts-send-exit"), "200"]);
        expect(run.stdout, `attempt ${attempt}\n${explain(run)}`).toContain("received=1000 expected=1000 ok");
        expect(run.exitCode, `attempt ${attempt}\n${explain(run)}`).toBe(0);
      }
    });
  });

  test("a project path missing on one host: the job fails, naming the host and the path", async () => {
    // The directory exists here and on n1, but n3 has an empty tmpfs over privateDir.
    const project = mkdtempSync(join(privateDir, "project-"));
    try {
      copyFileSync(fixture("hosts-where"), join(project, "hosts-where.ts"));
      const run = await timed("path missing on n3", ["--host", "n1,n3", "hosts-where.ts"], { cwd: project });
      expect(run.exitCode, explain(run)).not.toBe(0);
      expect(run.stderr).toContain(`${project} does not exist on host n3`);
      expect(run.stderr).toMatch(/host n3 lost, with rank 1 of 2/);
      expect(run.stderr).not.toMatch(/on host n1/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

/** This checkout's agents (on any host: the hosts share this process table) and the ranks they started. */
function agentsAndRanks(): [number, "agent" | "rank"][] {
  const agent = join(repoRoot, "packages/launcher/dist/agent/main.js");
  const found: [number, "agent" | "rank"][] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").includes(agent)) continue;
      found.push([Number(name), "agent"]);
      const children = readFileSync(`/proc/${name}/task/${name}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
      for (const child of children) found.push([Number(child), "rank"]);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
