/**
 * The process-wide runtime state: one engine and one launcher connection per process, as in MPI.
 * Internal to the runtime, not part of its API.
 */
import type { Engine } from "../engine/engine.ts";
import type { WireupClient } from "../wireup/client.ts";

export interface RuntimeState {
  engine: Engine;
  /** `undefined` for a singleton started without tsmpirun. */
  client: WireupClient | undefined;
  host: string;
}

let current: RuntimeState | undefined;

export function setRuntimeState(state: RuntimeState): void {
  current = state;
}

export function runtimeState(): RuntimeState | undefined {
  return current;
}
