import { describe, expect, test } from "vitest";
import { fixture, repoRoot } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

interface EnvReport {
  rank: number;
  size: number;
  jobId: string;
  rendezvous: string;
  transport: string;
  jobDir: string;
  args: string[];
  exported: { FROM_X?: string; COPIED?: string };
  defaults: { GLIBC_TUNABLES?: string; MSGPACKR_NATIVE_ACCELERATION_DISABLED?: string };
  cwd: string;
}

function reports(stdout: string): EnvReport[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as EnvReport)
    .sort((a, b) => a.rank - b.rank);
}

describe("what every rank is started with", () => {
  test("a launch from inside a pod of an emitted Job wires up through tsmpirun, not the pod's way", async () => {
    const run = await runTsmpirun(["-n", "2", fixture("hello-hosts")], { env: { TSMPI_WIREUP: "rank0", TSMPI_RANK_FROM: "JOB_COMPLETION_INDEX", JOB_COMPLETION_INDEX: "3" } });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim().split("\n").sort()).toEqual([expect.stringMatching(/^rank 0 of 2 on \S+ sum=3$/), expect.stringMatching(/^rank 1 of 2 on \S+ sum=3$/)]);
  });

  test.each([1, 2, 3, 4])("np %i numbers the ranks 0..np-1 and gives them one job id and rendezvous", async (np) => {
    const run = await runTsmpirun(["-n", String(np), fixture("env")]);
    expect(run.exitCode).toBe(0);
    const ranks = reports(run.stdout);
    expect(ranks.map((r) => r.rank)).toEqual([...Array(np).keys()]);
    expect(new Set(ranks.map((r) => r.size))).toEqual(new Set([np]));
    expect(new Set(ranks.map((r) => r.jobId)).size).toBe(1);
    expect(ranks[0]?.jobId).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(ranks.map((r) => r.rendezvous)).size).toBe(1);
    expect(ranks[0]?.rendezvous).toBe(`ipc://${ranks[0]?.jobDir}/rendezvous`);
    expect(ranks.every((r) => r.transport === "ipc" && r.cwd === repoRoot)).toBe(true);
    expect(run.tmpLeftovers).toEqual([]);
  });

  test("--transport tcp gives the ranks a loopback rendezvous on an ephemeral port", async () => {
    const run = await runTsmpirun(["-n", "2", "--transport", "tcp", fixture("env")]);
    expect(run.exitCode).toBe(0);
    for (const rank of reports(run.stdout)) {
      expect(rank.transport).toBe("tcp");
      expect(rank.rendezvous).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    }
  });

  test("arguments after the program, options included, reach every rank unchanged", async () => {
    const run = await runTsmpirun(["-n", "3", fixture("env"), "--nx", "10", "-n", "7", "plain"]);
    expect(run.exitCode).toBe(0);
    for (const rank of reports(run.stdout)) expect(rank.args).toEqual(["--nx", "10", "-n", "7", "plain"]);
  });

  test("-x VAR=value sets a variable and -x VAR copies it from tsmpirun's environment", async () => {
    const run = await runTsmpirun(["-n", "2", "-x", "FROM_X=a=b", "-x", "COPIED", fixture("env")], {
      env: { COPIED: "from parent" },
    });
    expect(run.exitCode).toBe(0);
    for (const rank of reports(run.stdout)) expect(rank.exported).toEqual({ FROM_X: "a=b", COPIED: "from parent" });
  });

  test("ranks get the glibc and msgpackr defaults, and the user's own settings win", async () => {
    const plain = await runTsmpirun(["-n", "1", fixture("env")]);
    expect(plain.exitCode).toBe(0);
    expect(reports(plain.stdout)[0]?.defaults).toEqual({
      GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728:glibc.cpu.x86_non_temporal_threshold=1048576",
      MSGPACKR_NATIVE_ACCELERATION_DISABLED: "true",
    });
    // The user's tunables stay first and keep their values; an alias (MALLOC_*_) also counts as set.
    const own = await runTsmpirun(
      ["-n", "1", "-x", "MSGPACKR_NATIVE_ACCELERATION_DISABLED=false", fixture("env")],
      { env: { GLIBC_TUNABLES: "glibc.cpu.x86_non_temporal_threshold=4096:glibc.malloc.check=0", MALLOC_TRIM_THRESHOLD_: "1" } },
    );
    expect(own.exitCode).toBe(0);
    expect(reports(own.stdout)[0]?.defaults).toEqual({
      GLIBC_TUNABLES: "glibc.cpu.x86_non_temporal_threshold=4096:glibc.malloc.check=0:glibc.malloc.mmap_threshold=33554432",
      MSGPACKR_NATIVE_ACCELERATION_DISABLED: "false",
    });
  });

  test("stdin reaches rank 0 only", async () => {
    const run = await runTsmpirun(["-n", "3", fixture("stdin")], { input: "line one\nline two\n" });
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trim().split("\n").sort();
    expect(lines).toEqual([
      'rank 0 stdin="line one\\nline two\\n"',
      'rank 1 stdin=""',
      'rank 2 stdin=""',
    ]);
  });

  test("import.meta.url and __dirname of the bundled program still point at its source directory", async () => {
    const run = await runTsmpirun(["-n", "1", fixture("source-location")]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ viaUrl: true, viaDirname: true, filename: fixture("source-location") });
  });
});
