/**
 * For a rank that receives a reduction operand but never combines it (the last rank of an exscan
 * chain): the check that `combine` would have made, so a length mismatch still ends in
 * ERR_COLL_MISMATCH instead of a silently wrong answer.
 * Internal to the runtime, not part of its API.
 */
import { collectiveMismatch } from "../errors.ts";
import type { CombineSite } from "../ops/combine.ts";
import type { Op } from "../ops/op.ts";
import { isTypedArray } from "../wire/typed-array.ts";

function shape(value: unknown): string {
  if (isTypedArray(value)) return `${value.constructor.name}(${value.length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return value === null ? "null" : typeof value;
}

export function checkSameShape(op: Op, mine: unknown, theirs: unknown, site: CombineSite, otherRank: number): void {
  if (op.fn !== undefined) return; // a user op decides for itself what it can combine
  const a = shape(mine);
  const b = shape(theirs);
  if (a === b) return;
  throw collectiveMismatch(
    { rank: site.rank, call: site.call },
    `${op} cannot combine ${a} here with ${b} from rank ${otherRank}: every rank must pass data of the same kind and length`,
    "data",
  );
}
