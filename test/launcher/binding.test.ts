import { availableParallelism } from "node:os";
import { describe, expect, test } from "vitest";
import { launch } from "../../packages/launcher/src/index.ts";
import { mapRank, parseCpuList, placeRanks } from "../../packages/launcher/src/procs/binding.ts";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

interface Affinity {
  rank: number;
  threads: { name: string; cpus: string }[];
}

const affinities = (stdouts: string[]): Affinity[] =>
  stdouts.flatMap((out) => out.split("\n").filter((line) => line.startsWith("{"))).map((line) => JSON.parse(line) as Affinity);

const cpus = availableParallelism();
const allCpus = cpus === 1 ? "0" : `0-${cpus - 1}`;

describe("--bind-to / --map-by", () => {
  test("--bind-to core confines every thread of each rank, ZeroMQ's included, to cpu rank mod ncpus", async () => {
    const np = Math.min(2, cpus) + 1; // one rank past the cpu count wraps around
    const result = await launch({ np, program: fixture("launch-affinity"), bindTo: "core" });
    expect(result.exitCode, result.failure).toBe(0);
    expect(result.placement).toMatchObject({ bindTo: "core", mapBy: "core" });
    const seen = affinities(result.ranks.map((rank) => rank.stdout));
    expect(seen).toHaveLength(np);
    for (const { rank, threads } of seen) {
      expect(threads.some((thread) => thread.name.startsWith("ZMQbg/IO"))).toBe(true);
      for (const thread of threads) expect(thread, `rank ${rank}`).toMatchObject({ cpus: String(rank % cpus) });
    }
  });

  test("--bind-to none leaves every thread on every cpu", async () => {
    const result = await launch({ np: 2, program: fixture("launch-affinity"), bindTo: "none" });
    expect(result.exitCode, result.failure).toBe(0);
    for (const { threads } of affinities(result.ranks.map((rank) => rank.stdout))) {
      for (const thread of threads) expect(thread.cpus).toBe(allCpus);
    }
  });

  test("by default ranks are not bound (the measurements are in bench/results/launch.md)", async () => {
    const result = await launch({ np: 1, program: fixture("launch-affinity") });
    expect(result.placement).toMatchObject({ bindTo: "none", cpus: [undefined] });
    expect(affinities([result.ranks[0]!.stdout])[0]!.threads.every((thread) => thread.cpus === allCpus)).toBe(true);
    expect(placeRanks(cpus + 1, { bindTo: undefined, mapBy: undefined }).bindTo).toBe("none");
  });

  test("the command line takes --bind-to, --map-by and --report-bindings", async () => {
    const run = await runTsmpirun(["-n", "2", "--bind-to", "core", "--map-by", "slot", "--report-bindings", fixture("launch-affinity")]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/tsmpirun: rank 0 bound to cpu 0 \(--bind-to core --map-by slot/);
    expect(run.stderr).toMatch(new RegExp(`tsmpirun: rank 1 bound to cpu ${1 % cpus} `));
    const bad = await runTsmpirun(["-n", "2", "--bind-to", "socket", fixture("env")]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("tsmpirun: --bind-to must be one of core, none, got socket");
  });

  test("map-by core deals ranks round robin; map-by slot fills each cpu with consecutive ranks", () => {
    expect([0, 1, 2, 3, 4, 5].map((rank) => mapRank(rank, 6, 2, "core"))).toEqual([0, 1, 0, 1, 0, 1]);
    expect([0, 1, 2, 3, 4, 5].map((rank) => mapRank(rank, 6, 2, "slot"))).toEqual([0, 0, 0, 1, 1, 1]);
    expect([0, 1, 2, 3, 4].map((rank) => mapRank(rank, 5, 2, "slot"))).toEqual([0, 0, 0, 1, 1]);
    expect([0, 1].map((rank) => mapRank(rank, 2, 4, "slot"))).toEqual([0, 1]);
    expect(placeRanks(3, { bindTo: "core", mapBy: "core" }, [2, 5], () => true).cpus).toEqual([2, 5, 2]);
    expect(parseCpuList("0-2,5,7-8\n")).toEqual([0, 1, 2, 5, 7, 8]);
  });

  test("rejects an unknown bindTo or mapBy", async () => {
    await expect(launch({ np: 1, program: "x.ts", bindTo: "socket" as "core" })).rejects.toThrow(/launch\(bindTo\)/);
    await expect(launch({ np: 1, program: "x.ts", mapBy: "socket" as "core" })).rejects.toThrow(/launch\(mapBy\)/);
  });
});
