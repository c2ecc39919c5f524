/**
 * How the trace's slices show a call's arguments: wildcards by name, as MPI writes them.
 * Internal to the runtime.
 */
import { ANY_SOURCE, ANY_TAG } from "../constants.ts";

export function sourceArg(source: number): number | string {
  return source === ANY_SOURCE ? "ANY_SOURCE" : source;
}

export function tagArg(tag: number): number | string {
  return tag === ANY_TAG ? "ANY_TAG" : tag;
}
