/**
 * Runs rank programs as jobs through `launch()` from @tsmpi/launcher (real processes, real
 * ZeroMQ sockets): the test fixtures (test/fixtures/*.ts) and the example programs (programs/*.ts).
 * A failed job is explained with every rank's output. tsmpirun.ts runs the CLI instead.
 */
import { launch, type JobResult, type LaunchOptions } from "@tsmpi/launcher";
import { exampleProgram, fixture } from "./paths.ts";

/** mpi4py runs its suite at 1, 2 and 3 ranks; 4 adds a power of two above 2. */
export const RANK_COUNTS = [1, 2, 3, 4] as const;
export const TRANSPORTS = ["ipc", "tcp"] as const;

/** The job's whole story, for assertion messages. */
export function explain(result: JobResult): string {
  const ranks = result.ranks.map(
    (rank) => `--- rank ${rank.rank}: exit ${rank.exitCode} signal ${rank.signal}\n${rank.stdout}${rank.stderr}`,
  );
  return [`exit code ${result.exitCode}`, result.failure ?? "", ...ranks].join("\n");
}

function run(program: string, np: number, options: Partial<LaunchOptions>): Promise<JobResult> {
  return launch({ np, program, timeout: 90, ...options });
}

/** Fails the test with every rank's output unless the job exited 0. */
async function passing(label: string, np: number, job: Promise<JobResult>): Promise<JobResult> {
  const result = await job;
  if (result.exitCode !== 0) throw new Error(`${label} at np ${np} failed:\n${explain(result)}`);
  return result;
}

/** Runs the fixture `test/fixtures/<name>` on `np` ranks. */
export function runFixture(name: string, np: number, options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  return run(fixture(name), np, options);
}

/** Runs a fixture that must succeed; fails the test with every rank's output otherwise. */
export function runFixturePassing(name: string, np: number, options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  return passing(name, np, runFixture(name, np, options));
}

/** Runs the example program `programs/<name>` on `np` ranks with `args`. */
export function runProgram(name: string, np: number, args: readonly string[] = [], options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  return run(exampleProgram(name), np, { args, ...options });
}

/** Runs an example program that must succeed; fails the test with every rank's output otherwise. */
export function runProgramPassing(name: string, np: number, args: readonly string[] = [], options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  return passing(`${name} ${args.join(" ")}`, np, runProgram(name, np, args, options));
}

/** All ranks' stdout lines, in rank order. */
export function stdoutLines(result: JobResult): string[] {
  return result.ranks.flatMap((rank) => rank.stdout.split("\n").filter((line) => line !== ""));
}

/** Rank 0's stdout lines (the example programs print from rank 0 only). */
export function rootLines(result: JobResult): string[] {
  return (result.ranks[0]?.stdout ?? "").split("\n").filter((line) => line !== "");
}

/** The text after `prefix` on the first line of rank 0's output that starts with it. */
export function valueAfter(result: JobResult, prefix: string): string {
  const line = rootLines(result).find((candidate) => candidate.startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting "${prefix}" in rank 0's output:\n${explain(result)}`);
  return line.slice(prefix.length);
}
