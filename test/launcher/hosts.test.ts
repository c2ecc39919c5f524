/**
 * Hosts and slots: the --host / --hostfile syntax, Slurm's nodelist and count formats, the mapping
 * of ranks to hosts, and the refusal of a job that does not fit (through the real tsmpirun, on
 * this host only, so no test cluster is needed).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseHostfile, parseHostList } from "../../packages/launcher/src/hosts/host-list.ts";
import { expandCounts, expandNodelist, slurmAllocation } from "../../packages/launcher/src/hosts/slurm-allocation.ts";
import { mapRanksToHosts } from "../../packages/launcher/src/procs/map-hosts.ts";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

describe("host lists", () => {
  test("--host: :N slots, none = 1, a repeated host adds up", () => {
    expect(parseHostList("n1:2,n2,n1").map(({ name, slots }) => [name, slots])).toEqual([
      ["n1", 3],
      ["n2", 1],
    ]);
    expect(() => parseHostList("n1:0")).toThrow("slots must be a positive integer, got 0");
    expect(() => parseHostList(",")).toThrow("--host needs at least one host name");
  });

  test("--hostfile: slots=N, :N, bare names, comments and blank lines; errors name the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsmpi-hostfile-"));
    const file = join(dir, "hosts");
    writeFileSync(file, "# the cluster\nn1 slots=4   # big one\n\nn2:2\nn3\n");
    expect(parseHostfile(file)).toEqual([
      { name: "n1", slots: 4, source: `${file} line 2` },
      { name: "n2", slots: 2, source: `${file} line 4` },
      { name: "n3", slots: 1, source: `${file} line 5` },
    ]);
    writeFileSync(file, "n1 cpus=4\n");
    expect(() => parseHostfile(file)).toThrow(`--hostfile ${file} line 1: expected "host slots=N", got "n1 cpus=4"`);
    expect(() => parseHostfile(join(dir, "absent"))).toThrow("cannot read");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("Slurm's formats", () => {
  test("nodelists expand ranges, lists and zero padding", () => {
    expect(expandNodelist("n[1-3,5],gpu[08-10],login")).toEqual(["n1", "n2", "n3", "n5", "gpu08", "gpu09", "gpu10", "login"]);
  });

  test("task counts expand (xN) repeats", () => {
    expect(expandCounts("2(x3),1", 4)).toEqual([2, 2, 2, 1]);
  });

  test("an allocation gives hosts, slots and the task count; inside a step, the allocation's cpus", () => {
    const env = { SLURM_JOB_ID: "7", SLURM_JOB_NODELIST: "n[1-2]", SLURM_TASKS_PER_NODE: "3,1", SLURM_NTASKS: "4", SLURM_JOB_CPUS_PER_NODE: "4(x2)" };
    expect(slurmAllocation(env)?.hosts.map(({ name, slots }) => [name, slots])).toEqual([
      ["n1", 3],
      ["n2", 1],
    ]);
    expect(slurmAllocation(env)?.ntasks).toBe(4);
    const inStep = slurmAllocation({ ...env, SLURM_STEP_ID: "0", SLURM_TASKS_PER_NODE: "1", SLURM_NTASKS: "1" });
    expect(inStep?.hosts.map(({ slots }) => slots)).toEqual([4, 4]);
    expect(inStep?.ntasks).toBeUndefined();
    expect(slurmAllocation({})).toBeUndefined();
  });
});

describe("mapping ranks to hosts", () => {
  const hosts = [
    { name: "a", slots: 2, source: "--host" },
    { name: "b", slots: 2, source: "--host" },
    { name: "c", slots: 1, source: "--host" },
  ];

  test("slot fills each host in turn; node deals round robin while hosts have free slots", () => {
    expect(mapRanksToHosts(5, hosts, "slot", false)).toEqual({ ok: true, hostOf: [0, 0, 1, 1, 2] });
    expect(mapRanksToHosts(5, hosts, "node", false)).toEqual({ ok: true, hostOf: [0, 1, 2, 0, 1] });
    expect(mapRanksToHosts(3, hosts, "core", false)).toEqual({ ok: true, hostOf: [0, 0, 1] });
  });

  test("more ranks than slots is refused with a table, unless oversubscribing", () => {
    const refused = mapRanksToHosts(6, hosts, "slot", false);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message.split("\n")).toEqual([
      "tsmpirun: 6 ranks do not fit in the 5 slots of 3 hosts; no ranks were started",
      "  host  slots  from",
      "  a         2  --host",
      "  b         2  --host",
      "  c         1  --host",
      'Ask for fewer ranks, add slots (--host n1:4, or "n1 slots=4" in the hostfile), or allow it with --oversubscribe.',
    ]);
    expect(mapRanksToHosts(7, hosts, "slot", true)).toEqual({ ok: true, hostOf: [0, 0, 1, 1, 2, 0, 1] });
  });
});

describe("tsmpirun with --host on this host only", () => {
  test("refuses more ranks than slots with exit code 2 and starts nothing", async () => {
    const result = await runTsmpirun(["--host", "localhost:2", "-n", "3", fixture("slurm-behave.ts")]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("tsmpirun: 3 ranks do not fit in the 2 slots of 1 host; no ranks were started");
  });

  test("runs as many ranks as slots without -n, and more with --oversubscribe, all without ssh", async () => {
    const fits = await runTsmpirun(["--host", "localhost:3", fixture("slurm-behave.ts")]);
    expect(fits.exitCode, fits.stderr).toBe(0);
    expect(fits.stdout.match(/^rank \d of 3 /gm)).toHaveLength(3);
    const over = await runTsmpirun(["--host", "localhost:1", "-n", "2", "--oversubscribe", fixture("slurm-behave.ts")]);
    expect(over.exitCode, over.stderr).toBe(0);
    expect(over.stdout).toMatch(/sum=3/);
  });

  test("--host and --hostfile together is a usage error", async () => {
    const result = await runTsmpirun(["--host", "a", "--hostfile", "b", fixture("slurm-behave.ts")]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("give --host or --hostfile, not both");
  });
});
