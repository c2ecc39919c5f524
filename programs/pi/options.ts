/** pi.ts's command line (node:util parseArgs); pure, so every rank gets the same answer. */
import { parseArgs } from "node:util";

export const METHODS = ["darts", "series", "both"] as const;
export type Method = (typeof METHODS)[number];

export interface PiOptions {
  method: Method;
  /** Darts thrown, and the last series index N. */
  n: number;
  seed: number;
  pmap: boolean;
  /** Chunks of work handed out through pmap. */
  chunks: number;
  help: boolean;
}

export const USAGE = `usage: tsmpirun -n P programs/pi.ts [options]

  --method M    darts (Monte-Carlo), series (Leibniz, i = 0..N) or both   (default both)
  --n N         darts to throw, and N for the series                     (default 10000000)
  --seed S      seed of the darts' random streams (an integer)           (default 20261124)
  --pmap        the same work as many small chunks through pmap (dynamic load balancing);
                darts then use one random stream per chunk, so the estimate does not
                depend on the number of ranks
  --chunks K    chunks for --pmap                                        (default 64)
  -h, --help    this text`;

export class UsageError extends Error {}

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

export function parsePiOptions(args: readonly string[]): PiOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        method: { type: "string", default: "both" },
        n: { type: "string", default: "10000000" },
        seed: { type: "string", default: "20261124" },
        pmap: { type: "boolean", default: false },
        chunks: { type: "string", default: "64" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!(METHODS as readonly string[]).includes(values.method)) throw new UsageError(`--method must be one of ${METHODS.join(", ")}, got "${values.method}"`);
  return {
    method: values.method as Method,
    n: integer("n", values.n, 1),
    seed: integer("seed", values.seed, Number.MIN_SAFE_INTEGER),
    pmap: values.pmap,
    chunks: integer("chunks", values.chunks, 1),
    help: values.help,
  };
}
