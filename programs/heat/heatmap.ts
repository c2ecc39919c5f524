/**
 * The field as a picture: one pixel per point of the (nx+2) x (ny+2) array (row i down, column j
 * across, boundary included), coloured with viridis from its min to its max, and to the right a
 * colour bar labelled with the max at its top and the min at its bottom.
 */
import { writeFileSync } from "node:fs";
import { viridis } from "./colormap.ts";
import { drawText, GLYPH_HEIGHT, textWidth } from "./font.ts";
import { encodePng } from "./png.ts";

const BACKGROUND = 255;
const INK = [0, 0, 0] as const;

export interface Image {
  width: number;
  height: number;
  rgb: Uint8Array;
}

function label(value: number): string {
  return value.toPrecision(4);
}

/** The image of a row-major `rows` x `cols` field. */
export function renderHeatmap(field: Float64Array, rows: number, cols: number): Image {
  let min = Infinity;
  let max = -Infinity;
  for (const v of field) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  const scale = Math.min(4, Math.max(1, Math.floor(rows / 160)));
  const gap = Math.max(4, Math.round(cols / 64));
  const barWidth = Math.max(8, Math.round(cols / 32));
  const labels = [label(max), label(min)];
  const labelWidth = Math.max(...labels.map((text) => textWidth(text, scale)));
  const textHeight = GLYPH_HEIGHT * scale;
  const height = Math.max(rows, 3 * textHeight + 2);
  const width = cols + gap + barWidth + gap + labelWidth + gap;
  const rgb = new Uint8Array(width * height * 3).fill(BACKGROUND);
  const t = (v: number): number => (span > 0 ? (v - min) / span : 0.5);

  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) viridis(t(field[y * cols + x]!), rgb, (y * width + x) * 3);
  }
  const barLeft = cols + gap;
  for (let y = 0; y < height; y++) {
    const level = height > 1 ? 1 - y / (height - 1) : 1;
    for (let x = barLeft; x < barLeft + barWidth; x++) viridis(level, rgb, (y * width + x) * 3);
  }
  const labelLeft = barLeft + barWidth + gap;
  drawText(rgb, width, height, labels[0]!, labelLeft, 0, scale, INK);
  drawText(rgb, width, height, labels[1]!, labelLeft, height - textHeight, scale, INK);
  return { width, height, rgb };
}

/** Writes the heat map of the full (nx+2) x (ny+2) field as a PNG file. */
export function writeFieldPng(path: string, full: Float64Array, nx: number, ny: number): void {
  const image = renderHeatmap(full, nx + 2, ny + 2);
  writeFileSync(path, encodePng(image.width, image.height, image.rgb));
}
