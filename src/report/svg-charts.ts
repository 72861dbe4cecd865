// Small self-contained SVG charts for reports: a line chart with points and markers, and a grouped bar chart.

import { htmlText } from '../util/escape.js';

export interface Series {
  label: string;
  color: string;
  /** `faded`: drawn dimmed (e.g. a point another dominates). */
  points: { x: number; y: number; label?: string; faded?: boolean }[];
  /** Draw the points as rings (e.g. the dense model, where the trajectory starts). */
  hollow?: boolean;
  /** Points only, not joined. */
  noLine?: boolean;
  /** Where the line starts, drawn by another series (e.g. the dense model's ring): joined to the first point. */
  start?: { x: number; y: number };
}

const W = 640;
const H = 320;
// The legend runs in a row under the title, above the plot, so that it covers no point and no marker label.
const PAD = { left: 70, right: 24, top: 48, bottom: 50 };
const LEGEND_Y = 30;

/** Every label (model names among them) goes into the markup through this: entities, invisible characters shown. */
const escape = htmlText;

/** Tick spacing of about `count` ticks over [min, max]: 1, 2 or 5 times a power of ten. */
function tickStep(min: number, max: number, count = 5): number {
  const span = max - min;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const mult = [1, 2, 5, 10].find((m) => span / (m * step) <= count) ?? 10;
  return mult * step;
}

/**
 * The axis range widened to whole ticks on both ends (so the top of the axis is a labelled tick, not the largest
 * value), and its ticks. A single value gets a range around it.
 */
export function niceAxis(min: number, max: number, count = 5): { lo: number; hi: number; ticks: number[] } {
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceAxis(min - d, max + d, count);
  }
  const s = tickStep(min, max, count);
  const lo = +(Math.floor(min / s + 1e-9) * s).toPrecision(12);
  const hi = +(Math.ceil(max / s - 1e-9) * s).toPrecision(12);
  const ticks: number[] = [];
  for (let i = 0; lo + i * s <= hi + s * 1e-9; i++) ticks.push(+(lo + i * s).toPrecision(12));
  return { lo, hi, ticks };
}

/**
 * A logarithmic axis (positive values spanning decades): from the power of ten at or below the smallest value to the
 * one at or above the largest, ticks at 1, 2 and 5 times each power of ten.
 */
export function logAxis(min: number, max: number): { lo: number; hi: number; ticks: number[] } {
  if (!(min > 0)) throw new Error(`a logarithmic axis needs positive values, got ${min}`);
  const first = Math.floor(Math.log10(min) + 1e-9);
  const last = Math.max(first + 1, Math.ceil(Math.log10(max) - 1e-9));
  const ticks: number[] = [];
  for (let d = first; d <= last; d++) for (const m of [1, 2, 5]) if (d < last || m === 1) ticks.push(+(m * 10 ** d).toPrecision(12));
  return { lo: ticks[0], hi: ticks[ticks.length - 1], ticks };
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return Number.isInteger(v) ? String(v) : String(+v.toFixed(2));
}

/** Rows of the legend below the first. */
const LEGEND_ROW = 16;

type LegendEntry = { label: string; color: string; hollow?: boolean };

/** Each entry's place: in a row under the title, wrapping to more rows when the row is full. */
function legendLayout(entries: LegendEntry[]): { e: LegendEntry; x: number; row: number }[] {
  let x = PAD.left;
  let row = 0;
  return entries.map((e) => {
    const width = 30 + 6.5 * e.label.length;
    if (x > PAD.left && x + width - 12 > W - PAD.right) {
      x = PAD.left;
      row++;
    }
    const place = { e, x, row };
    x += width;
    return place;
  });
}

/** The rows the legend takes. */
function legendRows(entries: LegendEntry[]): number {
  return entries.length === 0 ? 1 : Math.max(...legendLayout(entries).map((p) => p.row)) + 1;
}

/** The legend: one swatch and label per entry, in rows under the title. */
function legend(entries: LegendEntry[]): string {
  return legendLayout(entries).map(({ e, x, row }) => {
    const y = LEGEND_Y + row * LEGEND_ROW;
    const swatch = e.hollow
      ? `<circle cx="${x + 6}" cy="${y - 4}" r="5" fill="#fff" stroke="${e.color}" stroke-width="2"/>`
      : `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${e.color}"/>`;
    return `${swatch}<text x="${x + 18}" y="${y}">${escape(e.label)}</text>`;
  }).join('');
}

/**
 * A line chart of one or more series (points joined in the order given), with vertical markers (a budget's limit):
 * both axes end on ticks, the legend sits above the plot, and a marker's label goes on the side of its line with
 * more room.
 */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], markers: { x: number; label: string }[] = [], options: { logX?: boolean } = {}): string {
  const all = series.flatMap((s) => (s.start ? [s.start, ...s.points] : s.points));
  const xs = [...all.map((p) => p.x), ...markers.map((m) => m.x)];
  const ys = all.map((p) => p.y);
  const xa = options.logX ? logAxis(Math.min(...xs), Math.max(...xs)) : niceAxis(Math.min(...xs), Math.max(...xs));
  const ya = niceAxis(Math.min(...ys), Math.max(...ys));
  const along = options.logX ? Math.log10 : (x: number) => x;
  const sx = (x: number) => PAD.left + ((along(x) - along(xa.lo)) / (along(xa.hi) - along(xa.lo))) * (W - PAD.left - PAD.right);
  // A legend of more rows moves the top of the plot down.
  const top = PAD.top + (legendRows(series) - 1) * LEGEND_ROW;
  const sy = (y: number) => H - PAD.bottom - ((y - ya.lo) / (ya.hi - ya.lo)) * (H - top - PAD.bottom);
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="14" text-anchor="middle" font-weight="bold">${escape(title)}</text>`);
  for (const t of xa.ticks) parts.push(`<line x1="${sx(t).toFixed(1)}" y1="${H - PAD.bottom}" x2="${sx(t).toFixed(1)}" y2="${H - PAD.bottom + 5}" stroke="#444"/><text x="${sx(t).toFixed(1)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`);
  for (const t of ya.ticks) parts.push(`<line x1="${PAD.left}" y1="${sy(t).toFixed(1)}" x2="${W - PAD.right}" y2="${sy(t).toFixed(1)}" stroke="#ddd"/><text x="${PAD.left - 8}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  parts.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#444"/>`);
  parts.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${escape(xLabel)}</text>`);
  parts.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${escape(yLabel)}</text>`);
  for (const m of markers) {
    const x = sx(m.x);
    const right = x < (PAD.left + W - PAD.right) / 2;
    parts.push(`<line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${H - PAD.bottom}" stroke="#d62728" stroke-dasharray="5,4"/><text x="${(right ? x + 4 : x - 4).toFixed(1)}" y="${top + 12}" text-anchor="${right ? 'start' : 'end'}" fill="#d62728">${escape(m.label)}</text>`);
  }
  for (const s of series) {
    const line = s.start ? [s.start, ...s.points] : s.points;
    if (!s.noLine && line.length > 1) {
      const path = line.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    const paint = s.hollow ? `r="5" fill="#fff" stroke="${s.color}" stroke-width="2"` : `r="4" fill="${s.color}"`;
    for (const p of s.points) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" ${paint}${p.faded ? ' opacity="0.25"' : ''}><title>${escape(p.label ?? `${fmt(p.x)}, ${fmt(p.y)}`)}</title></circle>`);
  }
  parts.push(legend(series));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`;
}

/** Bars per category, one bar per series (e.g. before and after), side by side. */
export function barChart(title: string, yLabel: string, categories: string[], series: { label: string; color: string; values: number[] }[]): string {
  const axis = niceAxis(0, Math.max(1, ...series.flatMap((s) => s.values)));
  const max = axis.hi;
  const plotW = W - PAD.left - PAD.right;
  const band = plotW / Math.max(1, categories.length);
  const barW = Math.max(2, (band * 0.8) / series.length);
  const sy = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [`<text x="${W / 2}" y="14" text-anchor="middle" font-weight="bold">${escape(title)}</text>`];
  for (const t of axis.ticks) parts.push(`<line x1="${PAD.left}" y1="${sy(t)}" x2="${W - PAD.right}" y2="${sy(t)}" stroke="#ddd"/><text x="${PAD.left - 8}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  categories.forEach((c, i) => {
    const x0 = PAD.left + i * band + band * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      parts.push(`<rect x="${(x0 + k * barW).toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(H - PAD.bottom - sy(v)).toFixed(1)}" fill="${s.color}"><title>${escape(`${c} ${s.label}: ${v.toLocaleString('en-US')}`)}</title></rect>`);
    });
    parts.push(`<text x="${(x0 + (barW * series.length) / 2).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="end" transform="rotate(-30 ${(x0 + (barW * series.length) / 2).toFixed(1)} ${H - PAD.bottom + 14})">${escape(c)}</text>`);
  });
  parts.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#444"/>`);
  parts.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${escape(yLabel)}</text>`);
  parts.push(legend(series));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`;
}
