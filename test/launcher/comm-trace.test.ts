/**
 * `tsmpirun --trace FILE` and `launch({ trace })`: the communication trace of a real job (real
 * launcher, real ranks), checked as a viewer reads it (test/helpers/comm-trace.ts): a track per
 * rank, every send's flow arriving in a receive slice of the right tag on its destination, every
 * collective on every rank with one number; also for a failed job, across the test cluster's hosts,
 * and nothing at all without the option.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launch } from "@tsmpi/launcher";
import { onCluster, requireCluster, skipCluster, withClusterShared } from "../helpers/cluster.ts";
import { checkTrace, fixtureMessages, readTrace, slicesOf, worldCollectives } from "../helpers/comm-trace.ts";
import { explain } from "../helpers/jobs.ts";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "comm-trace-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORLD_COLLECTIVES = ["barrier#1", "barrier#2", "allreduce#3", "bcast#4", "iallreduce#5", "split#6", "barrier#7"];

describe("tsmpirun --trace", () => {
  test("at n=4: a track per rank, a flow from every send to its receive, collectives on every rank", async () => {
    const file = join(dir, "n4.json");
    const run = await runTsmpirun(["-n", "4", "--trace", file, fixture("comm-trace")]);
    expect(run.exitCode, run.stderr).toBe(0);
    const trace = readTrace(file);
    expect(run.stderr).toContain(`tsmpirun: trace written to ${file} (${trace.traceEvents.length} events)`);
    expect(run.tmpLeftovers).toEqual([]);
    const flows = checkTrace(trace, 4, Array(4).fill(hostname()));
    expect(flows).toBe(fixtureMessages(4));
    expect(trace.otherData).toMatchObject({ np: 4, exitCode: 0, ranksWithoutTrace: [], droppedRecords: 0, unmatchedSends: 0 });
    const collectives = worldCollectives(trace);
    expect([...collectives.keys()].sort()).toEqual([...WORLD_COLLECTIVES].sort());
    for (const ranks of collectives.values()) expect(ranks).toEqual([0, 1, 2, 3]);
    // Rank 0's wildcard receives: each slice says what it asked for and what it took.
    const wildcard = slicesOf(trace, 0).filter((slice) => slice.name === "recvWithStatus");
    expect(wildcard.map((slice) => slice.args?.tag).sort()).toEqual([101, 102, 103]);
    for (const slice of wildcard) expect(slice.args).toMatchObject({ source: "ANY_SOURCE", requestedTag: "ANY_TAG", peer: Number(slice.args?.tag) - 100 });
    // Each rank's waits: one `wait` and one `waitAll` for the nonblocking step, the irecvs' matches inside or before them.
    for (let rank = 0; rank < 4; rank++) {
      const names = slicesOf(trace, rank).map((slice) => slice.name);
      expect(names.filter((name) => name === "irecv")).toHaveLength(2);
      expect(names.filter((name) => name === "irecv matched")).toHaveLength(2);
      expect(names.filter((name) => name === "waitAll")).toHaveLength(1);
    }
    // A blocking receive's slice spans its wait: rank 1's recv of the ring starts before rank 0's send ends.
    const ringRecv = slicesOf(trace, 1).find((slice) => slice.name === "recv" && slice.args?.tag === 1)!;
    const ringSend = slicesOf(trace, 0).find((slice) => slice.name === "send" && slice.args?.tag === 1)!;
    expect(ringRecv.ts!).toBeLessThan(ringSend.ts! + ringSend.dur!);
    expect(ringRecv.ts! + ringRecv.dur!).toBeGreaterThan(ringSend.ts!);
  });

  test("a job that fails still writes the trace, with what the ranks sent", async () => {
    const file = join(dir, "failed.json");
    const run = await runTsmpirun(["-n", "3", "--trace", file, fixture("comm-trace"), "fail"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("rank 1 fails on purpose");
    const trace = readTrace(file);
    expect(run.stderr).toMatch(new RegExp(`tsmpirun: trace written to ${file} \\(${trace.traceEvents.length} events\\)`));
    checkTrace(trace, 3, Array(3).fill(hostname()));
    // Rank 1 sent its trace before its error report; all three got as far as the last barrier.
    for (let rank = 0; rank < 3; rank++) expect(slicesOf(trace, rank).some((slice) => slice.name === "barrier" && slice.args?.sequence === 7)).toBe(true);
    expect(trace.otherData).toMatchObject({ exitCode: 1 });
  });

  test("without --trace nothing is written and the ranks get no TSMPI_TRACE", async () => {
    const cwd = mkdtempSync(join(dir, "no-trace-"));
    const run = await runTsmpirun(["-n", "2", fixture("comm-trace"), "show-env"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("trace");
    expect(readdirSync(cwd)).toEqual([]);
    expect(run.tmpLeftovers).toEqual([]);
    expect(run.stdout.match(/^TSMPI_TRACE=\(unset\)$/gm)).toHaveLength(2);
  });

  test("--trace needs a file name, and is refused with --emit k8s", async () => {
    const missing = await runTsmpirun(["-n", "2", "--trace"]);
    expect(missing.exitCode).toBe(2);
    const emitted = await runTsmpirun(["--emit", "k8s", "--name", "x", "--image", "i", "--trace", join(dir, "k.json"), fixture("env")]);
    expect(emitted.exitCode).toBe(2);
    expect(existsSync(join(dir, "k.json"))).toBe(false);
  });
});

describe("launch({ trace })", () => {
  test("at n=3 over tcp: JobResult.trace says where and how many events", async () => {
    const file = join(dir, "launch.json");
    const result = await launch({ np: 3, program: fixture("comm-trace"), trace: file, transport: "tcp", timeout: 90 });
    expect(result.exitCode, explain(result)).toBe(0);
    const trace = readTrace(file);
    expect(result.trace).toEqual({ file, events: trace.traceEvents.length, ranksWithoutTrace: [] });
    expect(checkTrace(trace, 3, Array(3).fill(hostname()))).toBe(fixtureMessages(3));
  });

  test("an empty trace file name is refused", async () => {
    await expect(launch({ np: 1, program: fixture("env"), trace: "" })).rejects.toThrow(TypeError);
  });
});

describe.skipIf(skipCluster("test/launcher/comm-trace.test.ts"))("tsmpirun --trace across hosts (ssh)", () => {
  beforeAll(requireCluster);

  test("-n 4 on n1:2,n2,n3: every rank's trace reaches tsmpirun, one process per host", async () => {
    const file = join(dir, "hosts.json");
    const run = await withClusterShared(() => runTsmpirun(onCluster("--timeout", "60", "-n", "4", "--host", "n1:2,n2,n3", "--trace", file, fixture("comm-trace"))));
    expect(run.exitCode, run.stderr).toBe(0);
    const trace = readTrace(file);
    expect(run.stderr).toContain(`tsmpirun: trace written to ${file} (${trace.traceEvents.length} events)`);
    expect(checkTrace(trace, 4, ["n1", "n1", "n2", "n3"])).toBe(fixtureMessages(4));
    expect(new Set(trace.traceEvents.filter((event) => event.name === "process_name").map((event) => event.args?.name))).toEqual(new Set(["n1", "n2", "n3"]));
  });
});
