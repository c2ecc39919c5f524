import type { CommCore } from "../core/comm-core.ts";
import { rankOutOfRange } from "../errors.ts";

/** A collective's root must be a rank of the communicator (no PROC_NULL, no wildcard). */
export function checkRoot(core: CommCore, call: string, root: unknown): asserts root is number {
  if (Number.isInteger(root) && (root as number) >= 0 && (root as number) < core.size) return;
  throw rankOutOfRange({ rank: core.rank, call }, "root", root, core.size);
}
