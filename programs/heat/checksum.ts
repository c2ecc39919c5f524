/**
 * A fingerprint of a full field's interior for comparing runs bit for bit: its plain row-major sum
 * and a SHA-256 of its Float64 values' bytes in row-major order.
 */
import { createHash } from "node:crypto";

export interface Checksum {
  sum: number;
  sha256: string;
}

export function interiorChecksum(full: Float64Array, nx: number, ny: number): Checksum {
  const width = ny + 2;
  const interior = new Float64Array(nx * ny);
  let sum = 0;
  for (let i = 1; i <= nx; i++) {
    for (let j = 1; j <= ny; j++) {
      const v = full[i * width + j]!;
      interior[(i - 1) * ny + (j - 1)] = v;
      sum += v;
    }
  }
  // Bytes as stored: little-endian on every platform Node supports here.
  const sha256 = createHash("sha256").update(new Uint8Array(interior.buffer)).digest("hex");
  return { sum, sha256 };
}

export function formatChecksum({ sum, sha256 }: Checksum): string {
  return `checksum sum=${sum} sha256=${sha256}`;
}
