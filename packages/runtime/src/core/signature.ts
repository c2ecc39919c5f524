/**
 * A collective call's signature: the details every rank must pass alike, packed into the header's
 * 32-bit signature field so that each message carries them and a receiver can spot a disagreement
 * (Open MPI and MPICH leave this to the user; mpi4py hangs). Layout:
 * bits 0-15 root (0xffff: none), 16-23 op (0: none, 0xfe: user op), 24-31 an 8-bit hash of the
 * algorithm's name (ranks that chose different algorithms saw different data sizes).
 * Internal to the runtime, not part of its API.
 */
import { Op, type BuiltinOpName } from "../ops/op.ts";

const BUILTIN_ORDER: readonly BuiltinOpName[] = [
  "SUM", "PROD", "MIN", "MAX", "LAND", "LOR", "LXOR", "BAND", "BOR", "BXOR", "MINLOC", "MAXLOC", "REPLACE",
];
const NO_ROOT = 0xffff;
const USER_OP = 0xfe;

export interface CallDetails {
  root?: number | undefined;
  op?: Op | undefined;
  algorithm: string;
}

function opCode(op: Op | undefined): number {
  if (op === undefined) return 0;
  if (op.builtin === undefined) return USER_OP;
  return BUILTIN_ORDER.indexOf(op.builtin) + 1;
}

/** FNV-1a folded to 8 bits: stable across processes and versions. */
function algorithmCode(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash ^ (hash >>> 8) ^ (hash >>> 16) ^ (hash >>> 24)) & 0xff;
}

export function packSignature(details: CallDetails): number {
  const root = details.root === undefined ? NO_ROOT : details.root & 0xffff;
  return (root | (opCode(details.op) << 16) | (algorithmCode(details.algorithm) << 24)) >>> 0;
}

/** What differs between two signatures, in words, for a mismatch report. */
export function describeDifference(mine: number, theirs: number, otherRank: number): string {
  const parts: string[] = [];
  const root = (s: number): string => ((s & 0xffff) === NO_ROOT ? "none" : String(s & 0xffff));
  const op = (s: number): string => {
    const code = (s >>> 16) & 0xff;
    return code === 0 ? "none" : code === USER_OP ? "a user op" : `Op.${BUILTIN_ORDER[code - 1] ?? "?"}`;
  };
  if ((mine & 0xffff) !== (theirs & 0xffff)) parts.push(`root ${root(mine)} here but ${root(theirs)} on rank ${otherRank}`);
  if (((mine >>> 16) & 0xff) !== ((theirs >>> 16) & 0xff)) parts.push(`op ${op(mine)} here but ${op(theirs)} on rank ${otherRank}`);
  if (mine >>> 24 !== theirs >>> 24) {
    parts.push(`rank ${otherRank} chose a different algorithm, so its data must differ in size or kind from this rank's`);
  }
  return parts.join("; ");
}
