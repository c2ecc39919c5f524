/**
 * A rank's output pipe, paused while anything downstream holds it and resumed once nothing does:
 * how output gets backpressure, in tsmpirun (output/forwarded-stream.ts) and in a remote host's
 * agent (agent/main.ts). Pausing the pipe fills it, which blocks the rank's writes, as a plain pipe
 * to a slow reader would.
 */
export class HeldSource {
  #paused = false;

  constructor(private readonly source: NodeJS.ReadableStream) {}

  /** Pauses the source when `held` and resumes it when not, touching it only on a change. */
  hold(held: boolean): void {
    if (held === this.#paused) return;
    this.#paused = held;
    if (held) this.source.pause();
    else this.source.resume();
  }
}
