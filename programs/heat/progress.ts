/**
 * A progress bar on a terminal: drawn in place (carriage return), at most ten times a second, only
 * when `enabled` (rank 0) and stdout reaches a terminal (directly or through tsmpirun); otherwise
 * every call does nothing, so piped output and test logs stay clean.
 */
import { stdoutIsTerminal } from "@tsmpi/runtime/terminal";

const BAR_WIDTH = 40;
const REDRAW_MS = 100;

export interface Progress {
  update(step: number): void;
  done(): void;
}

export function createProgress(total: number, enabled: boolean): Progress {
  if (!enabled || !stdoutIsTerminal() || total === 0) return { update() {}, done() {} };
  const started = performance.now();
  let drawn = -Infinity;
  let last = -1;
  const draw = (step: number): void => {
    last = step;
    const fraction = step / total;
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsed = (performance.now() - started) / 1000;
    const eta = step > 0 ? (elapsed / step) * (total - step) : 0;
    process.stdout.write(`\r[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% step ${step}/${total} eta ${eta.toFixed(1)} s `);
  };
  return {
    update(step) {
      const now = performance.now();
      if (now - drawn < REDRAW_MS && step < total) return;
      drawn = now;
      draw(step);
    },
    done() {
      if (last !== total) draw(total);
      process.stdout.write("\n");
    },
  };
}
