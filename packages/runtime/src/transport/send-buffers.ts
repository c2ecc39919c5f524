/**
 * Recycled send buffers for large payloads. The transport copies every payload it sends (zeromq
 * sends buffers over 128 bytes without copying, so the caller's array must not be what zeromq
 * reads), and copying into freshly allocated memory costs page faults: 0.9-2.8 ms per 4 MiB against
 * 0.1 ms into memory used before (bench/pingpong profile). So large sends copy into a buffer from
 * this pool, and a buffer returns to the pool only when the receiving transport says it holds the
 * whole message (a release token in the header), at which point zeromq has read the last byte.
 * A buffer whose release never comes (a receiver that never pulls) is simply not reused.
 */
const MAX_POOLED_BYTES = 256 * 1024 * 1024;
/** Lent buffers remembered at most; older ones are forgotten (and freed once zeromq drops them). */
const MAX_LENT = 4096;

export class SendBufferPool {
  readonly #free = new Map<number, Buffer[]>();
  readonly #lent = new Map<number, Buffer>();
  #nextToken = 1;
  #pooledBytes = 0;

  /** A buffer of exactly `size` bytes and the token that will release it. */
  acquire(size: number): { buffer: Buffer; token: number } {
    const recycled = this.#free.get(size)?.pop();
    let buffer: Buffer;
    if (recycled !== undefined) {
      this.#pooledBytes -= size;
      buffer = recycled;
    } else {
      buffer = Buffer.allocUnsafeSlow(size);
    }
    const token = this.#nextToken;
    this.#nextToken = this.#nextToken === 0xffff_ffff ? 1 : this.#nextToken + 1;
    this.#lent.set(token, buffer);
    if (this.#lent.size > MAX_LENT) this.#lent.delete(this.#lent.keys().next().value!);
    return { buffer, token };
  }

  release(token: number): void {
    const buffer = this.#lent.get(token);
    if (buffer === undefined) return;
    this.#lent.delete(token);
    if (this.#pooledBytes + buffer.length > MAX_POOLED_BYTES) return;
    this.#pooledBytes += buffer.length;
    const list = this.#free.get(buffer.length);
    if (list === undefined) this.#free.set(buffer.length, [buffer]);
    else list.push(buffer);
  }
}
