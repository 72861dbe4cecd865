// Small self-contained SVG charts for reports: a line chart with points and a grouped bar chart.

import { htmlText } from '../util/escape.js';

export interface Series {
  label: string;
  color: string;
  points: { x: number; y: number; label?: string }[];
}

const W = 640;
const H = 320;
const PAD = { left: 70, right: 20, top: 30, bottom: 50 };

/** Every label (model names among them) goes into the markup through this: entities, invisible characters shown. */
const escape = htmlText;

function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) return [min];
  const span = max - min;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const mult = [1, 2, 5, 10].find((m) => span / (m * step) <= count) ?? 10;
  const s = mult * step;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / s) * s; v <= max + 1e-9; v += s) ticks.push(+v.toPrecision(12));
  return ticks;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** A line chart of one or more series (points joined in the order given). */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], markers: { x: number; label: string }[] = []): string {
  const all = series.flatMap((s) => s.points);
  const xs = [...all.map((p) => p.x), ...markers.map((m) => m.x)];
  const ys = all.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const xr = x1 - x0 || 1;
  const yr = y1 - y0 || 1;
  const sx = (x: number) => PAD.left + ((x - x0) / xr) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - y0) / yr) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${escape(title)}</text>`);
  for (const t of niceTicks(x0, x1)) parts.push(`<line x1="${sx(t)}" y1="${H - PAD.bottom}" x2="${sx(t)}" y2="${H - PAD.bottom + 5}" stroke="#444"/><text x="${sx(t)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`);
  for (const t of niceTicks(y0, y1)) parts.push(`<line x1="${PAD.left}" y1="${sy(t)}" x2="${W - PAD.right}" y2="${sy(t)}" stroke="#ddd"/><text x="${PAD.left - 8}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  parts.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#444"/>`);
  parts.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${escape(xLabel)}</text>`);
  parts.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${escape(yLabel)}</text>`);
  for (const m of markers) {
    parts.push(`<line x1="${sx(m.x).toFixed(1)}" y1="${PAD.top}" x2="${sx(m.x).toFixed(1)}" y2="${H - PAD.bottom}" stroke="#d62728" stroke-dasharray="5,4"/><text x="${(sx(m.x) + 4).toFixed(1)}" y="${PAD.top + 10}" fill="#d62728">${escape(m.label)}</text>`);
  }
  series.forEach((s, k) => {
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of s.points) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="${s.color}"><title>${escape(p.label ?? `${fmt(p.x)}, ${fmt(p.y)}`)}</title></circle>`);
    parts.push(`<rect x="${W - PAD.right - 150}" y="${PAD.top + 18 * k}" width="12" height="12" fill="${s.color}"/><text x="${W - PAD.right - 132}" y="${PAD.top + 10 + 18 * k}">${escape(s.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`;
}

/** Bars per category, one bar per series (e.g. before and after), side by side. */
export function barChart(title: string, yLabel: string, categories: string[], series: { label: string; color: string; values: number[] }[]): string {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const plotW = W - PAD.left - PAD.right;
  const band = plotW / Math.max(1, categories.length);
  const barW = Math.max(2, (band * 0.8) / series.length);
  const sy = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [`<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${escape(title)}</text>`];
  for (const t of niceTicks(0, max)) parts.push(`<line x1="${PAD.left}" y1="${sy(t)}" x2="${W - PAD.right}" y2="${sy(t)}" stroke="#ddd"/><text x="${PAD.left - 8}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
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
  series.forEach((s, k) => parts.push(`<rect x="${W - PAD.right - 120}" y="${PAD.top + 18 * k}" width="12" height="12" fill="${s.color}"/><text x="${W - PAD.right - 102}" y="${PAD.top + 10 + 18 * k}">${escape(s.label)}</text>`));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`;
}
