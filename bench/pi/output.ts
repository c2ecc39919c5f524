/**
 * The lines programs/pi.ts prints, which bench/reference/pi.c and pi.py print too, so that one
 * reader serves every implementation and the tsmpi side is pi.ts itself, unmodified:
 *
 *     darts: 10000000 darts on 2 ranks, seed 20261124, one stream per rank, hits 7854368
 *     darts: pi ~ 3.1417472  error 1.545e-4  sigma 5.19e-4  time 0.056 s
 *     series: i = 0..10000000 on 2 ranks
 *     series: pi ~ 3.141592753589783  error 1.000e-7  time 0.015 s
 *
 * pi.ts prints the time in milliseconds' resolution (3 decimals of a second); the references print
 * microseconds. The estimate is printed with every digit a double needs (JavaScript's shortest
 * round trip, C's %.17g, Python's repr), so it is read back exactly.
 */

export type Method = "darts" | "series";

export interface PiRun {
  method: Method;
  /** Ranks, as the program says it ran on. */
  np: number;
  /** Darts thrown, or the last index N of the series. */
  n: number;
  /** Darts only: the hits summed on rank 0 (an integer). */
  hits?: number;
  estimate: number;
  /** From after the barrier to the result on rank 0. */
  seconds: number;
}

const HEAD: Record<Method, RegExp> = {
  darts: /^darts: (\d+) darts on (\d+) ranks?, .*hits (\d+)\s*$/m,
  series: /^series: i = 0\.\.(\d+) on (\d+) ranks?/m,
};
const RESULT: Record<Method, RegExp> = {
  darts: /^darts: pi ~ (\S+)\s.*\stime (\S+) s\s*$/m,
  series: /^series: pi ~ (\S+)\s.*\stime (\S+) s\s*$/m,
};

/** One method's run read from rank 0's stdout, or why it could not be read. */
export function parsePiOutput(stdout: string, method: Method): PiRun | string {
  const head = HEAD[method].exec(stdout);
  const result = RESULT[method].exec(stdout);
  if (head === null || result === null) return `no "${method}:" result lines in its output${stdout.trim() === "" ? " (empty)" : `: ${stdout.trim().split("\n").slice(-2).join(" / ")}`}`;
  const estimate = Number(result[1]);
  const seconds = Number(result[2]);
  if (!Number.isFinite(estimate) || !Number.isFinite(seconds)) return `unreadable "${method}:" result line: ${result[0]}`;
  return method === "darts"
    ? { method, n: Number(head[1]), np: Number(head[2]), hits: Number(head[3]), estimate, seconds }
    : { method, n: Number(head[1]), np: Number(head[2]), estimate, seconds };
}
