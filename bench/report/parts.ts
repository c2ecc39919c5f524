/**
 * The parts of `pnpm bench`, in the order they run: each folder's part.ts exports `part: BenchPart`
 * (bench/report/part.ts), imported here by name, so that a part that does not load fails the type
 * check and the run at once instead of turning into a note.
 */
import { part as collectives } from "../collectives/part.ts";
import { part as heat } from "../heat/part.ts";
import { part as launch } from "../launch/part.ts";
import { part as multihost } from "../multihost/part.ts";
import { part as pi } from "../pi/part.ts";
import { part as pingpong } from "../pingpong/part.ts";
import type { BenchPart } from "./part.ts";

export interface PartEntry {
  part: BenchPart;
  /** Seconds to aim for in a full run (all of them: under 15 minutes on 2 cores) and in --quick. */
  budget: { full: number; quick: number };
}

export const PARTS: readonly PartEntry[] = [
  { part: pingpong, budget: { full: 90, quick: 10 } },
  { part: collectives, budget: { full: 420, quick: 15 } },
  { part: heat, budget: { full: 240, quick: 15 } },
  { part: pi, budget: { full: 90, quick: 8 } },
  { part: launch, budget: { full: 120, quick: 15 } },
  { part: multihost, budget: { full: 120, quick: 20 } },
];
