/**
 * Argument checks shared by every point-to-point call; they run before anything is sent.
 */
import { ANY_SOURCE, ANY_TAG, PROC_NULL, TAG_UB } from "../constants.ts";
import { rankOutOfRange, tagOutOfRange } from "../errors.ts";

export interface CallSite {
  /** The caller's rank in the communicator of the call. */
  rank: number;
  size: number;
}

export function checkDest(site: CallSite, call: string, dest: unknown, argument = "dest"): asserts dest is number {
  if (dest === PROC_NULL || (Number.isInteger(dest) && (dest as number) >= 0 && (dest as number) < site.size)) return;
  throw rankOutOfRange({ rank: site.rank, call }, argument, dest, site.size, " or PROC_NULL");
}

export function checkSource(site: CallSite, call: string, source: unknown, argument = "source"): asserts source is number {
  if (source === ANY_SOURCE || source === PROC_NULL) return;
  if (Number.isInteger(source) && (source as number) >= 0 && (source as number) < site.size) return;
  throw rankOutOfRange({ rank: site.rank, call }, argument, source, site.size, ", ANY_SOURCE or PROC_NULL");
}

export function checkSendTag(site: CallSite, call: string, tag: unknown, argument = "tag"): asserts tag is number {
  if (Number.isInteger(tag) && (tag as number) >= 0 && (tag as number) <= TAG_UB) return;
  throw tagOutOfRange({ rank: site.rank, call }, argument, tag, TAG_UB, false);
}

export function checkRecvTag(site: CallSite, call: string, tag: unknown, argument = "tag"): asserts tag is number {
  if (tag === ANY_TAG) return;
  if (Number.isInteger(tag) && (tag as number) >= 0 && (tag as number) <= TAG_UB) return;
  throw tagOutOfRange({ rank: site.rank, call }, argument, tag, TAG_UB, true);
}
