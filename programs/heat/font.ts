/**
 * A 5 x 7 bitmap font for the colour bar's labels: digits and the characters numbers print with
 * ('.', '-', 'e', '+'), enough for `Number.prototype.toPrecision`.
 */
const GLYPHS: Record<string, readonly string[]> = {
  "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
  "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
  "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
  "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
  "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
  "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
  "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
  "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
  "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
  "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
  ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
  "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
  "+": [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."],
  e: [".....", ".....", ".###.", "#...#", "#####", "#....", ".###."],
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Columns between characters. */
export const GLYPH_GAP = 1;

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + GLYPH_GAP) - GLYPH_GAP) * scale;
}

/**
 * Draws `text` with its top-left corner at (x, y) into an RGB image `width` pixels wide; pixels
 * outside the image are skipped. Characters without a glyph are drawn as blanks.
 */
export function drawText(rgb: Uint8Array, width: number, height: number, text: string, x: number, y: number, scale: number, colour: readonly [number, number, number]): void {
  for (const [n, char] of [...text].entries()) {
    const glyph = GLYPHS[char];
    if (glyph === undefined) continue;
    const left = x + n * (GLYPH_WIDTH + GLYPH_GAP) * scale;
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (glyph[gy]![gx] !== "#") continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = left + gx * scale + sx;
            const py = y + gy * scale + sy;
            if (px >= 0 && px < width && py >= 0 && py < height) rgb.set(colour, (py * width + px) * 3);
          }
        }
      }
    }
  }
}
