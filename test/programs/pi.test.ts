/**
 * programs/pi.ts through the real launcher: darts within 5 sigma of pi and reproducible for a seed
 * and rank count, series with an error of about 1/N, and the pmap forms independent of the rank
 * count.
 */
import type { JobResult } from "@tsmpi/launcher";
import { describe, expect, it } from "vitest";
import { runProgram, runProgramPassing, valueAfter } from "../helpers/jobs.ts";

const N = 200_000;

interface Estimate {
  estimate: number;
  error: number;
  text: string;
}

function estimate(result: JobResult, method: "darts" | "series"): Estimate {
  const match = /^(\S+)  error (\S+)/.exec(valueAfter(result, `${method}: pi ~ `));
  if (match === null) throw new Error(`no ${method} estimate`);
  return { estimate: Number(match[1]), error: Number(match[2]), text: match[1]! };
}

function hits(result: JobResult): number {
  return Number(/hits (\d+)$/.exec(valueAfter(result, "darts: " + N))![1]);
}

const SIGMA = 4 * Math.sqrt(((Math.PI / 4) * (1 - Math.PI / 4)) / N);

describe("pi", () => {
  it.concurrent.each([1, 2, 3, 4])("at np %i the darts estimate is within 5 sigma and the same on a second run", async (np) => {
    const args = ["--method", "darts", "--n", String(N), "--seed", "42"];
    const [first, second] = await Promise.all([runProgramPassing("pi.ts", np, args), runProgramPassing("pi.ts", np, args)]);
    const darts = estimate(first, "darts");
    expect(Math.abs(darts.estimate - Math.PI)).toBeLessThan(5 * SIGMA);
    expect(darts.error).toBeCloseTo(darts.estimate - Math.PI, 6);
    expect(hits(second)).toBe(hits(first));
    expect(estimate(second, "darts").text).toBe(darts.text);
    expect(darts.estimate).toBe((4 * hits(first)) / N);
  });

  it.concurrent.each([1, 3])("at np %i the series estimate has an error of about 1/N", async (np) => {
    const result = await runProgramPassing("pi.ts", np, ["--method", "series", "--n", String(N)]);
    const series = estimate(result, "series");
    // Leibniz after i = 0..N: pi - estimate ~ (-1)^N / N.
    expect(Math.abs(series.estimate - Math.PI) * N).toBeGreaterThan(0.9);
    expect(Math.abs(series.estimate - Math.PI) * N).toBeLessThan(1.1);
  });

  it("--pmap gives the same darts hits and series sum at np 1 and np 3 (streams per chunk, sums in chunk order)", async () => {
    const args = ["--method", "both", "--n", String(N), "--seed", "7", "--pmap", "--chunks", "40"];
    const [one, three] = await Promise.all([runProgramPassing("pi.ts", 1, args), runProgramPassing("pi.ts", 3, args)]);
    expect(hits(three)).toBe(hits(one));
    expect(Math.abs(estimate(one, "darts").estimate - Math.PI)).toBeLessThan(5 * SIGMA);
    expect(estimate(three, "series").text).toBe(estimate(one, "series").text);
    expect(Math.abs(estimate(one, "series").estimate - Math.PI) * N).toBeLessThan(1.1);
  });

  it("a bad --method exits 2 with a clear message from rank 0", async () => {
    const result = await runProgram("pi.ts", 2, ["--method", "needles"]);
    expect(result.exitCode).toBe(2);
    expect(result.ranks[0]!.stderr).toContain('pi: --method must be one of darts, series, both, got "needles"');
  });
});
