/**
 * Viridis (matplotlib's perceptually uniform colour map), from nine samples at t = 0, 1/8, ..., 1
 * with linear interpolation in between: close to the 256-entry table at a fraction of the size.
 */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

/** NaN shows as magenta, which viridis never produces. */
const NAN_COLOUR = [255, 0, 255] as const;

/** Writes the colour of t (clamped to 0..1) to rgb[offset..offset+2]. */
export function viridis(t: number, rgb: Uint8Array, offset: number): void {
  if (Number.isNaN(t)) {
    rgb.set(NAN_COLOUR, offset);
    return;
  }
  const x = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1);
  const k = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - k;
  const a = VIRIDIS[k]!;
  const b = VIRIDIS[k + 1]!;
  for (let c = 0; c < 3; c++) rgb[offset + c] = Math.round(a[c]! + (b[c]! - a[c]!) * f);
}
