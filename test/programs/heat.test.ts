/**
 * programs/heat.ts through the real launcher: the final field (a SHA-256 of its Float64 bits) and
 * the printed means are bitwise the same at 1, 2, 3, 4 and 6 ranks on grids with uneven splits,
 * equal to --variant serial, and equal to the spec recomputed here from scratch; --png and --frames
 * write valid PNGs; --variant shared and --variant darray give the same field at 1 to 6 ranks; bad
 * grids exit 2 with a clear message.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, inflateSync } from "node:zlib";
import type { JobResult } from "@tsmpi/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explain, rootLines, runProgram, runProgramPassing, valueAfter } from "../helpers/jobs.ts";

const NX = 101;
const NY = 67;
const STEPS = 20;
const SIZE_ARGS = ["--nx", String(NX), "--ny", String(NY), "--steps", String(STEPS)];

interface Outcome {
  initialMean: string;
  finalMean: string;
  sum: string;
  sha256: string;
}

function outcome(result: JobResult): Outcome {
  const checksum = /^sum=(\S+) sha256=([0-9a-f]{64})$/.exec(valueAfter(result, "checksum "));
  if (checksum === null) throw new Error(`no checksum line:\n${explain(result)}`);
  return {
    initialMean: valueAfter(result, "initial mean temperature "),
    finalMean: valueAfter(result, "final mean temperature ").replace(` after ${STEPS} steps`, ""),
    sum: checksum[1]!,
    sha256: checksum[2]!,
  };
}

/** The spec (issue 4) written out again, independently of programs/heat/: the final interior. */
function specInterior(nx: number, ny: number, steps: number): Float64Array {
  const w = ny + 2;
  let u = new Float64Array((nx + 2) * w);
  for (let i = 1; i <= nx + 2; i++) {
    for (let j = 1; j <= ny + 2; j++) {
      u[(i - 1) * w + (j - 1)] = (i - nx / 2) ** 2 + (j - ny / 2) ** 2 < (nx / 6) ** 2 ? 5.0 : 65.0;
    }
  }
  for (let i = 1; i <= nx + 2; i++) {
    u[(i - 1) * w] = 20.0;
    u[(i - 1) * w + ny + 1] = 70.0;
  }
  for (let j = 1; j <= ny + 2; j++) {
    u[j - 1] = 85.0;
    u[(nx + 1) * w + j - 1] = 5.0;
  }
  const dx = 0.01, dy = 0.01, a = 0.5;
  const dt = (dx * dx * (dy * dy)) / (2 * a * (dx * dx + dy * dy));
  let next = u.slice();
  for (let step = 0; step < steps; step++) {
    for (let i = 1; i <= nx; i++) {
      for (let j = 1; j <= ny; j++) {
        const c = u[i * w + j]!;
        const xderiv = (u[(i - 1) * w + j]! - 2.0 * c + u[(i + 1) * w + j]!) / (dx * dx);
        const yderiv = (u[i * w + j - 1]! - 2.0 * c + u[i * w + j + 1]!) / (dy * dy);
        next[i * w + j] = c + a * dt * (xderiv + yderiv);
      }
    }
    [u, next] = [next, u];
  }
  const interior = new Float64Array(nx * ny);
  for (let i = 1; i <= nx; i++) interior.set(u.subarray(i * w + 1, i * w + 1 + ny), (i - 1) * ny);
  return interior;
}

describe("heat equation, nx 101 x ny 67, 20 steps", () => {
  let serial: Outcome;

  beforeAll(async () => {
    serial = outcome(await runProgramPassing("heat.ts", 1, [...SIZE_ARGS, "--variant", "serial", "--checksum"]));
  });

  it("the serial reference equals the spec recomputed in the test, bit for bit", () => {
    const interior = specInterior(NX, NY, STEPS);
    expect(serial.sha256).toBe(createHash("sha256").update(new Uint8Array(interior.buffer)).digest("hex"));
    const plainMean = interior.reduce((s, v) => s + v, 0) / interior.length;
    expect(Math.abs(Number(serial.finalMean) - plainMean)).toBeLessThan(1e-9);
  });

  // Uneven splits everywhere: 101 = 51+50 = 34+34+33 = 26+25+25+25, 67 = 34+33 = 23+22+22, ...
  const grids: [number, string, "ipc" | "tcp"][] = [
    [1, "computeDims", "ipc"],
    [2, "1x2", "ipc"],
    [2, "2x1", "ipc"],
    [3, "1x3", "ipc"],
    [3, "3x1", "ipc"],
    [4, "1x4", "ipc"],
    [4, "4x1", "ipc"],
    [4, "2x2", "ipc"],
    [4, "2x2", "tcp"],
    [6, "2x3", "ipc"],
    [6, "3x2", "ipc"],
    [6, "computeDims", "ipc"],
  ];
  it.concurrent.each(grids)("at np %i on a %s grid over %s the field and the means equal the serial run bit for bit", async (np, dims, transport) => {
    const args = [...SIZE_ARGS, "--checksum", ...(dims === "computeDims" ? [] : ["--dims", dims])];
    const result = await runProgramPassing("heat.ts", np, args, { transport });
    expect(outcome(result)).toEqual(serial);
    const shown = dims === "computeDims" ? (np === 1 ? "1 x 1" : "3 x 2") : dims.replace("x", " x ");
    expect(rootLines(result)[0]).toBe(`heat: ${NX} x ${NY} points, ${STEPS} steps, ${np} rank${np === 1 ? "" : "s"} as ${shown}, variant p2p`);
    expect(valueAfter(result, "time per step ")).toMatch(/^\d+\.\d{3} ms, total \d+\.\d{3} s$/);
    // Only rank 0 prints.
    for (const rank of result.ranks.slice(1)) expect(rank.stdout).toBe("");
  });

  it.concurrent.each([1, 2, 3, 4])("--variant shared at np %i (rows of two SharedArrays) gives the serial run's field and means bit for bit", async (np) => {
    const result = await runProgramPassing("heat.ts", np, [...SIZE_ARGS, "--variant", "shared", "--checksum"]);
    expect(outcome(result)).toEqual(serial);
    expect(rootLines(result)[0]).toBe(`heat: ${NX} x ${NY} points, ${STEPS} steps, ${np} rank${np === 1 ? "" : "s"} sharing rows, variant shared`);
    for (const rank of result.ranks.slice(1)) expect(rank.stdout).toBe("");
  });

  const darrayGrids: Array<[number, string]> = [
    [1, "1x1"],
    [2, "1x2"],
    [3, "3x1"],
    [4, "2x2"],
    [6, "2x3"],
  ];
  it.concurrent.each(darrayGrids)("--variant darray at np %i on a %s grid (DArray halo exchange) gives the serial run's field and means bit for bit", async (np, dims) => {
    const result = await runProgramPassing("heat.ts", np, [...SIZE_ARGS, "--variant", "darray", "--dims", dims, "--checksum"]);
    expect(outcome(result)).toEqual(serial);
    expect(rootLines(result)[0]).toBe(`heat: ${NX} x ${NY} points, ${STEPS} steps, ${np} rank${np === 1 ? "" : "s"} as ${dims.replace("x", " x ")}, variant darray`);
    for (const rank of result.ranks.slice(1)) expect(rank.stdout).toBe("");
  });

  it.concurrent("at np 4 on a 2x2 grid of 515 x 515 blocks (halos above the transport's 4 KiB single-frame size) the field equals the spec", async () => {
    const [nx, ny, steps] = [1030, 1030, 8];
    const result = await runProgramPassing("heat.ts", 4, ["--nx", String(nx), "--ny", String(ny), "--steps", String(steps), "--dims", "2x2", "--checksum"]);
    const interior = specInterior(nx, ny, steps);
    expect(valueAfter(result, "checksum ")).toMatch(new RegExp(`sha256=${createHash("sha256").update(new Uint8Array(interior.buffer)).digest("hex")}$`));
  });
});

describe("heat equation PNG output", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsmpi-heat-png-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--png writes a valid RGB PNG of the gathered field with a colour bar, --frames one per K steps", async () => {
    const png = join(dir, "final.png");
    const frames = join(dir, "frames");
    await runProgramPassing("heat.ts", 3, [...SIZE_ARGS, "--png", png, "--frames", frames, "--every", "10"]);
    expect(readdirSync(frames).sort()).toEqual(["frame-000000.png", "frame-000010.png", "frame-000020.png"]);
    expect(readFileSync(join(frames, "frame-000020.png"))).toEqual(readFileSync(png));

    const file = readFileSync(png);
    expect([...file.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: { type: string; data: Buffer }[] = [];
    for (let offset = 8; offset < file.length; ) {
      const length = file.readUInt32BE(offset);
      const type = file.toString("latin1", offset + 4, offset + 8);
      const data = file.subarray(offset + 8, offset + 8 + length);
      expect(file.readUInt32BE(offset + 8 + length), `CRC of ${type}`).toBe(crc32(data, crc32(type)));
      chunks.push({ type, data });
      offset += 12 + length;
    }
    expect(chunks[0]!.type).toBe("IHDR");
    expect(chunks.at(-1)!.type).toBe("IEND");
    const ihdr = chunks[0]!.data;
    const width = ihdr.readUInt32BE(0);
    const height = ihdr.readUInt32BE(4);
    expect(height).toBe(NX + 2); // one pixel row per row of the field, boundary included
    expect(width).toBeGreaterThan(NY + 2 + 10); // the field, then the colour bar and its labels
    expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no interlace

    const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => c.data)));
    const stride = width * 3 + 1;
    expect(raw.length).toBe(stride * height);
    const pixel = (x: number, y: number): number[] => [...raw.subarray(y * stride + 1 + x * 3, y * stride + 4 + x * 3)];
    for (let y = 0; y < height; y++) expect(raw[y * stride], `filter of row ${y}`).toBe(0);
    // Row i = 1 is 85 (the max), row i = nx+2 is 5 (the min): viridis' ends.
    expect(pixel(1, 0)).toEqual([253, 231, 37]);
    expect(pixel(NY, NX + 1)).toEqual([68, 1, 84]);
    // The colour bar, max at its top and min at its bottom, somewhere right of the field.
    const row0 = Array.from({ length: width - NY - 2 }, (_, k) => pixel(NY + 2 + k, 0).join());
    expect(row0).toContain("253,231,37");
    const barX = NY + 2 + row0.indexOf("253,231,37");
    expect(pixel(barX, height - 1)).toEqual([68, 1, 84]);
    // The labels: dark glyph pixels right of the bar.
    const dark = row0.slice(barX - NY - 2).filter((rgb) => rgb === "0,0,0").length;
    expect(dark).toBeGreaterThan(0);
  });
});

describe("heat equation errors", () => {
  it("a --dims grid that does not match the job size exits 2 naming both", async () => {
    const result = await runProgram("heat.ts", 2, [...SIZE_ARGS, "--dims", "2x2"]);
    expect(result.exitCode).toBe(2);
    expect(result.ranks[0]!.stderr).toContain("heat: --dims 2x2 needs 4 ranks, the job has 2");
  });
});
