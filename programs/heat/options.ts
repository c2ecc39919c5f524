/**
 * heat.ts's command line (node:util parseArgs). Pure: no communication, so every rank parses the
 * same arguments to the same options or the same UsageError.
 */
import { parseArgs } from "node:util";

export const VARIANTS = ["p2p", "darray", "shared", "serial"] as const;
export type Variant = (typeof VARIANTS)[number];

export interface HeatOptions {
  nx: number;
  ny: number;
  steps: number;
  /** [P, Q], or undefined for computeDims(size, 2). */
  dims: [number, number] | undefined;
  png: string | undefined;
  frames: string | undefined;
  every: number;
  variant: Variant;
  checksum: boolean;
  help: boolean;
}

export const USAGE = `usage: tsmpirun -n P programs/heat.ts [options]

2-D heat equation du/dt = a*laplacian(u), explicit 5-point stencil, 2-D block decomposition.

  --nx N, --ny N     interior points along i (rows) and j (columns)     (default 2048 each)
  --steps N          time steps                                         (default 500)
  --dims PxQ         process grid, P*Q = number of ranks      (default computeDims(size, 2))
  --png FILE         write the final field as a PNG heat map with a colour bar
  --frames DIR       write DIR/frame-<step>.png at step 0 and every K steps
  --every K          frame interval for --frames                        (default 50)
  --variant V        p2p (halo exchange with isend/irecv), darray (the same on DArray's
                     exchangeHalo), shared (rows of two SharedArrays split over the ranks
                     of one host), serial (the plain reference loop, one rank)  (default p2p)
  --checksum         print a checksum of the final interior (sum and SHA-256 of its bits)
  -h, --help         this text`;

export class UsageError extends Error {}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

export function parseHeatOptions(args: readonly string[]): HeatOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        nx: { type: "string", default: "2048" },
        ny: { type: "string", default: "2048" },
        steps: { type: "string", default: "500" },
        dims: { type: "string" },
        png: { type: "string" },
        frames: { type: "string" },
        every: { type: "string" },
        variant: { type: "string", default: "p2p" },
        checksum: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let dims: [number, number] | undefined;
  if (values.dims !== undefined) {
    const match = /^(\d+)x(\d+)$/.exec(values.dims);
    if (match === null || Number(match[1]) < 1 || Number(match[2]) < 1) throw new UsageError(`--dims must look like PxQ with P, Q >= 1 (e.g. 2x3), got "${values.dims}"`);
    dims = [Number(match[1]), Number(match[2])];
  }
  if (!(VARIANTS as readonly string[]).includes(values.variant)) {
    throw new UsageError(`--variant must be one of ${VARIANTS.join(", ")}, got "${values.variant}"`);
  }
  const steps = Number(values.steps);
  if (!/^\d+$/.test(values.steps) || !Number.isSafeInteger(steps)) throw new UsageError(`--steps must be an integer >= 0, got "${values.steps}"`);
  if (values.every !== undefined && values.frames === undefined) throw new UsageError("--every needs --frames DIR");
  return {
    nx: positiveInteger("nx", values.nx),
    ny: positiveInteger("ny", values.ny),
    steps,
    dims,
    png: values.png,
    frames: values.frames,
    every: values.every === undefined ? 50 : positiveInteger("every", values.every),
    variant: values.variant as Variant,
    checksum: values.checksum,
    help: values.help,
  };
}
