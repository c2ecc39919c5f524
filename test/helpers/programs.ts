/**
 * Runs the example programs (programs/*.ts) through the real launcher, as spmd.ts does for the
 * fixtures: `launch()`, real processes and sockets.
 */
import { fileURLToPath } from "node:url";
import { launch, type JobResult, type LaunchOptions } from "@tsmpi/launcher";
import { explain } from "./spmd.ts";

export function programPath(name: string): string {
  return fileURLToPath(new URL(`../../programs/${name}`, import.meta.url));
}

export function runProgram(name: string, np: number, args: readonly string[] = [], options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  return launch({ np, program: programPath(name), args, timeout: 90, ...options });
}

/** Runs a program that must succeed; fails the test with every rank's output otherwise. */
export async function runProgramPassing(name: string, np: number, args: readonly string[] = [], options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  const result = await runProgram(name, np, args, options);
  if (result.exitCode !== 0) throw new Error(`${name} ${args.join(" ")} at np ${np} failed:\n${explain(result)}`);
  return result;
}

/** Rank 0's stdout lines (the programs print from rank 0 only). */
export function rootLines(result: JobResult): string[] {
  return (result.ranks[0]?.stdout ?? "").split("\n").filter((line) => line !== "");
}

/** The text after `prefix` on the first line of rank 0's output that starts with it. */
export function valueAfter(result: JobResult, prefix: string): string {
  const line = rootLines(result).find((candidate) => candidate.startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting "${prefix}" in rank 0's output:\n${explain(result)}`);
  return line.slice(prefix.length);
}
