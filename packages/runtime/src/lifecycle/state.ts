/**
 * The process-wide runtime state: one engine and one link to the job per process, as in MPI.
 * Internal to the runtime, not part of its API.
 */
import type { Engine } from "../engine/engine.ts";
import type { JobLink } from "./job-link.ts";

export interface RuntimeState {
  engine: Engine;
  /** `undefined` for a singleton started by hand. */
  link: JobLink | undefined;
  host: string;
  /** Names the job's shared-memory segments (wireup/protocol.ts sharedSegmentPrefix); "" for a singleton. */
  jobId: string;
}

let current: RuntimeState | undefined;

export function setRuntimeState(state: RuntimeState): void {
  current = state;
}

export function runtimeState(): RuntimeState | undefined {
  return current;
}
