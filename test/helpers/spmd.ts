/**
 * Runs a fixture rank program through the real launcher (`launch()` from @tsmpi/launcher: real
 * processes, real ZeroMQ sockets) and explains a failed job with every rank's output.
 */
import { fileURLToPath } from "node:url";
import { launch, type JobResult, type LaunchOptions } from "@tsmpi/launcher";

/** mpi4py runs its suite at 1, 2 and 3 ranks; 4 adds a power of two above 2. */
export const RANK_COUNTS = [1, 2, 3, 4] as const;
export const TRANSPORTS = ["ipc", "tcp"] as const;

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export function runFixture(name: string, np: number, options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  return launch({ np, program: fixturePath(name), timeout: 90, ...options });
}

/** The job's whole story, for assertion messages. */
export function explain(result: JobResult): string {
  const ranks = result.ranks.map(
    (rank) => `--- rank ${rank.rank}: exit ${rank.exitCode} signal ${rank.signal}\n${rank.stdout}${rank.stderr}`,
  );
  return [`exit code ${result.exitCode}`, result.failure ?? "", ...ranks].join("\n");
}

/** Runs a fixture that must succeed; fails the test with every rank's output otherwise. */
export async function runPassing(name: string, np: number, options: Partial<LaunchOptions> = {}): Promise<JobResult> {
  const result = await runFixture(name, np, options);
  if (result.exitCode !== 0) throw new Error(`${name} at np ${np} failed:\n${explain(result)}`);
  return result;
}

/** All ranks' stdout lines, in rank order. */
export function stdoutLines(result: JobResult): string[] {
  return result.ranks.flatMap((rank) => rank.stdout.split("\n").filter((line) => line !== ""));
}
