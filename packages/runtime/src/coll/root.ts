import type { CommCore } from "../core/comm-core.ts";
import { TsmpiError } from "../errors.ts";

/** A collective's root must be a rank of the communicator (no PROC_NULL, no wildcard). */
export function checkRoot(core: CommCore, call: string, root: unknown): asserts root is number {
  if (Number.isInteger(root) && (root as number) >= 0 && (root as number) < core.size) return;
  const range = core.size === 1 ? "0" : `0..${core.size - 1}`;
  throw new TsmpiError("ERR_RANK", { rank: core.rank, call, argument: "root", got: root, expected: `${range} (size ${core.size})` });
}
