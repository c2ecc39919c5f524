/**
 * A collective call's signature: the details every rank must pass alike, packed into the header's
 * 32-bit signature field so that each message carries them and a receiver can spot a disagreement
 * (Open MPI and MPICH leave this to the user; mpi4py hangs). Layout:
 * bits 0-15 root (0xffff: none), 16-20 op (0: none, 31: user op), 21-24 the typed-array kind of a
 * reduction's data (0: not a typed array; ranks that pass arrays of different kinds but the same
 * byte length would otherwise combine reinterpreted bytes), 25-31 a 7-bit hash of the algorithm's
 * name (ranks that chose different algorithms saw different data sizes).
 * Internal to the runtime, not part of its API.
 */
import { Op, type BuiltinOpName } from "../ops/op.ts";
import { TYPED_ARRAY_CLASSES } from "../wire/typed-array.ts";

const KIND_NAMES: readonly string[] = [...TYPED_ARRAY_CLASSES.map((Kind) => Kind.name), "Buffer"];

const BUILTIN_ORDER: readonly BuiltinOpName[] = [
  "SUM", "PROD", "MIN", "MAX", "LAND", "LOR", "LXOR", "BAND", "BOR", "BXOR", "MINLOC", "MAXLOC", "REPLACE", "NO_OP",
];
const NO_ROOT = 0xffff;
const USER_OP = 0x1f;

export interface CallDetails {
  root?: number | undefined;
  op?: Op | undefined;
  /** 1 + the wire code of the data's typed-array kind, when every rank must pass the same kind. */
  kind?: number | undefined;
  algorithm: string;
}

function opCode(op: Op | undefined): number {
  if (op === undefined) return 0;
  if (op.builtin === undefined) return USER_OP;
  return BUILTIN_ORDER.indexOf(op.builtin) + 1;
}

/** FNV-1a folded to 7 bits: stable across processes and versions. */
function algorithmCode(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash ^ (hash >>> 7) ^ (hash >>> 14) ^ (hash >>> 21) ^ (hash >>> 28)) & 0x7f;
}

export function packSignature(details: CallDetails): number {
  const root = details.root === undefined ? NO_ROOT : details.root & 0xffff;
  const kind = (details.kind ?? 0) & 0xf;
  return (root | (opCode(details.op) << 16) | (kind << 21) | (algorithmCode(details.algorithm) << 25)) >>> 0;
}

const rootOf = (s: number): number => s & 0xffff;
const opOf = (s: number): number => (s >>> 16) & 0x1f;
const kindOf = (s: number): number => (s >>> 21) & 0xf;
const algorithmOf = (s: number): number => s >>> 25;

/** What differs between two signatures, in words, for a mismatch report. */
export function describeDifference(mine: number, theirs: number, otherRank: number): string {
  const parts: string[] = [];
  const root = (s: number): string => (rootOf(s) === NO_ROOT ? "none" : String(rootOf(s)));
  const op = (s: number): string => {
    const code = opOf(s);
    return code === 0 ? "none" : code === USER_OP ? "a user op" : `Op.${BUILTIN_ORDER[code - 1] ?? "?"}`;
  };
  const kind = (s: number): string => (kindOf(s) === 0 ? "data that is not a typed array" : (KIND_NAMES[kindOf(s) - 1] ?? "a typed array"));
  if (rootOf(mine) !== rootOf(theirs)) parts.push(`root ${root(mine)} here but ${root(theirs)} on rank ${otherRank}`);
  if (opOf(mine) !== opOf(theirs)) parts.push(`op ${op(mine)} here but ${op(theirs)} on rank ${otherRank}`);
  if (kindOf(mine) !== kindOf(theirs)) {
    parts.push(`${kind(mine)} here but ${kind(theirs)} on rank ${otherRank}: every rank must pass data of the same kind`);
  } else if (algorithmOf(mine) !== algorithmOf(theirs)) {
    parts.push(`rank ${otherRank} chose a different algorithm, so its data must differ in size or kind from this rank's`);
  }
  return parts.join("; ");
}
