/**
 * A tiny SVG line-chart writer for bench/results: log-scale axes (or linear), one series per
 * implementation with markers and optional min–max whiskers, a legend; no dependencies. The same
 * implementation keeps its colour in every chart (tsmpi is always blue).
 *
 *   writeFileSync("latency.svg", lineChartSvg({ id: "latency", title: "...", x: { label: "bytes" },
 *     y: { label: "us" }, series: [{ name: "tsmpi", points: [{ x: 8, y: 81, low: 55, high: 145 }] }] }))
 */
export interface Point {
  x: number;
  y: number;
  /** Spread (min–max of the samples) drawn as a whisker. */
  low?: number;
  high?: number;
}

export interface Series {
  name: string;
  points: Point[];
  color?: string;
  /** Dashed line (for a floor or a reference drawn for scale). */
  dashed?: boolean;
}

export interface Axis {
  label: string;
  /** Default true. */
  log?: boolean;
  /** Ticks to draw instead of the automatic ones (e.g. message sizes "8 B", "4 KiB"). */
  ticks?: ReadonlyArray<{ value: number; label: string }>;
}

export interface Chart {
  /** File name without extension. */
  id: string;
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** One line under the plot (e.g. "medians; whiskers min–max; lower is better"). */
  caption?: string;
}

const WIDTH = 760;
const HEIGHT = 440;
const PLOT = { left: 78, top: 46, right: 560, bottom: 370 };

/** Colours by implementation name (a prefix match), so charts agree with each other. */
const KNOWN_COLORS: ReadonlyArray<[RegExp, string]> = [
  [/^tsmpi/i, "#1f6fb4"],
  [/zeromq|zmq/i, "#7f7f7f"],
  [/open mpi|ompi|^c\b/i, "#2a9d2a"],
  [/mpi4py.*(buffer|numpy|upper)/i, "#9467bd"],
  [/mpi4py/i, "#ff7f0e"],
];
const PALETTE = ["#d62728", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

function colorOf(series: Series, index: number): string {
  if (series.color !== undefined) return series.color;
  for (const [pattern, color] of KNOWN_COLORS) if (pattern.test(series.name)) return color;
  return PALETTE[index % PALETTE.length]!;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** 1, 2.5, 10, 1k, 25k, 1M: short labels for automatic ticks. */
export function shortNumber(x: number): string {
  const abs = Math.abs(x);
  const trim = (v: number): string => String(Number(v.toPrecision(3)));
  if (abs >= 1e9) return `${trim(x / 1e9)}G`;
  if (abs >= 1e6) return `${trim(x / 1e6)}M`;
  if (abs >= 1e3) return `${trim(x / 1e3)}k`;
  return trim(x);
}

interface Scale {
  map(v: number): number;
  min: number;
  max: number;
}

function makeScale(values: number[], axis: Axis, from: number, to: number): Scale {
  const log = axis.log !== false;
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  const tickValues = (axis.ticks ?? []).map((t) => t.value);
  let min = Math.min(...usable, ...tickValues);
  let max = Math.max(...usable, ...tickValues);
  if (!Number.isFinite(min)) [min, max] = log ? [1, 10] : [0, 1];
  if (log) {
    // A little room on both sides, in log space; an automatic axis shows at least a factor 10, one
    // with given ticks (message sizes, rank counts) just those.
    let lo = Math.log10(min);
    let hi = Math.log10(max);
    const least = axis.ticks === undefined ? 1 : 0.3;
    if (hi - lo < least) {
      const mid = (lo + hi) / 2;
      lo = mid - least / 2;
      hi = mid + least / 2;
    }
    const pad = (hi - lo) * (axis.ticks === undefined ? 0.06 : 0.08);
    lo -= pad;
    hi += pad;
    return { min: 10 ** lo, max: 10 ** hi, map: (v) => from + ((Math.log10(v) - lo) / (hi - lo)) * (to - from) };
  }
  if (min === max) max = min + 1;
  const pad = (max - min) * 0.06;
  const lo = Math.min(min - pad, min >= 0 ? 0 : min - pad);
  const hi = max + pad;
  return { min: lo, max: hi, map: (v) => from + ((v - lo) / (hi - lo)) * (to - from) };
}

function autoTicks(scale: Scale, log: boolean): Array<{ value: number; label: string }> {
  if (log) {
    const decades = Math.log10(scale.max / scale.min);
    const steps = decades <= 1.5 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1];
    const every = decades > 8 ? 2 : 1;
    const ticks: Array<{ value: number; label: string }> = [];
    for (let e = Math.floor(Math.log10(scale.min)); e <= Math.ceil(Math.log10(scale.max)); e++) {
      if (e % every !== 0) continue;
      for (const s of steps) {
        const value = s * 10 ** e;
        if (value >= scale.min && value <= scale.max) ticks.push({ value, label: shortNumber(value) });
      }
    }
    return ticks;
  }
  const raw = (scale.max - scale.min) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: Array<{ value: number; label: string }> = [];
  for (let v = Math.ceil(scale.min / step) * step; v <= scale.max; v += step) ticks.push({ value: v, label: shortNumber(v) });
  return ticks;
}

export function lineChartSvg(chart: Chart): string {
  const series = chart.series.filter((s) => s.points.some((p) => Number.isFinite(p.y)));
  const points = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y)));
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]);
  const xScale = makeScale(xs, chart.x, PLOT.left, PLOT.right);
  const yScale = makeScale(ys, chart.y, PLOT.bottom, PLOT.top);
  const out: string[] = [];
  const push = (s: string): number => out.push(s);
  const f = (v: number): string => v.toFixed(1);

  push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  push(`<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`);

  // Grid and ticks.
  const xTicks = (chart.x.ticks ?? autoTicks(xScale, chart.x.log !== false)).filter((t) => t.value >= xScale.min && t.value <= xScale.max);
  const yTicks = (chart.y.ticks ?? autoTicks(yScale, chart.y.log !== false)).filter((t) => t.value >= yScale.min && t.value <= yScale.max);
  for (const t of xTicks) {
    const x = f(xScale.map(t.value));
    push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#e4e4e4"/>`);
    push(`<text x="${x}" y="${PLOT.bottom + 16}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  for (const t of yTicks) {
    const y = f(yScale.map(t.value));
    push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#e4e4e4"/>`);
    push(`<text x="${PLOT.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(t.label)}</text>`);
  }
  push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333"/>`);
  const logNote = (a: Axis): string => (a.log !== false ? " (log scale)" : "");
  push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 36}" text-anchor="middle">${escapeXml(chart.x.label + logNote(chart.x))}</text>`);
  push(
    `<text x="18" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(PLOT.top + PLOT.bottom) / 2})">${escapeXml(chart.y.label + logNote(chart.y))}</text>`,
  );

  if (series.length === 0) {
    push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" fill="#999">no data in this run</text>`);
  }
  series.forEach((s, index) => {
    const color = colorOf(s, chart.series.indexOf(s) >= 0 ? chart.series.indexOf(s) : index);
    const pts = s.points.filter((p) => Number.isFinite(p.y) && (chart.y.log === false || p.y > 0)).sort((a, b) => a.x - b.x);
    const path = pts.map((p, i) => `${i === 0 ? "M" : "L"}${f(xScale.map(p.x))},${f(yScale.map(p.y))}`).join(" ");
    push(`<g stroke="${color}" fill="${color}">`);
    if (pts.length > 1) push(`<path d="${path}" fill="none" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    for (const p of pts) {
      const x = f(xScale.map(p.x));
      if (p.low !== undefined && p.high !== undefined && p.low > 0 && p.high > 0) {
        push(`<line x1="${x}" y1="${f(yScale.map(p.low))}" x2="${x}" y2="${f(yScale.map(p.high))}" stroke-width="1" opacity="0.6"/>`);
      }
      push(`<circle cx="${x}" cy="${f(yScale.map(p.y))}" r="3.5"/>`);
    }
    push(`</g>`);
    // Legend entry, right of the plot.
    const ly = PLOT.top + 10 + index * 22;
    push(`<line x1="${PLOT.right + 16}" y1="${ly}" x2="${PLOT.right + 44}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    push(`<circle cx="${PLOT.right + 30}" cy="${ly}" r="3.5" fill="${color}"/>`);
    push(`<text x="${PLOT.right + 52}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  if (chart.caption !== undefined) {
    push(`<text x="${PLOT.left}" y="${HEIGHT - 14}" font-size="11" fill="#555">${escapeXml(chart.caption)}</text>`);
  }
  push(`</svg>`);
  return `${out.join("\n")}\n`;
}
