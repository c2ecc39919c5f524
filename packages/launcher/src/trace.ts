/**
 * Launch-time profile: with TSMPIRUN_TRACE=1 the launcher writes `tsmpirun: trace +<ms> <phase>`
 * lines to stderr, milliseconds since this process started (performance.now() counts from process
 * start, so the first line includes loading the launcher itself). bench/launch/run.ts reads them.
 */
import { performance } from "node:perf_hooks";

const enabled = process.env.TSMPIRUN_TRACE === "1";

export function trace(phase: string): void {
  if (enabled) process.stderr.write(`tsmpirun: trace +${performance.now().toFixed(1)} ${phase}\n`);
}
