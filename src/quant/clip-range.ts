// Clip ranges from a calibration histogram: a percentile of the values, or the range whose int8 grid has the least squared error.
//
// Both are computed from the histogram with the values of a bin spread uniformly over it (exact zeros apart),
// so they are exact for that piecewise-uniform density and within one bin (1/2048 of the range) of the data.

import { activationParams } from './qparams.js';
import type { Histogram, ValueRange } from './observers.js';

/** The value below which a fraction q of the values lie (exact zeros counted at 0, within their bin). */
export function quantile(h: Histogram, q: number): number {
  const w = h.binWidth;
  const zeroBin = h.lo <= 0 && h.hi >= 0 ? h.binOf(0) : -1;
  const target = q * h.total;
  let cumulative = 0;
  for (let i = 0; i < h.bins; i++) {
    const c = h.counts[i] + (i === zeroBin ? h.zeros : 0);
    if (c > 0 && cumulative + c >= target) return h.lo + (i + (target - cumulative) / c) * w;
    cumulative += c;
  }
  return h.hi;
}

/** The range between the (100 − p)-th and the p-th percentiles of the values (p in (50, 100]). */
export function percentileRange(h: Histogram, p: number): ValueRange {
  if (h.total === 0) return { min: 0, max: 0 };
  const q = p / 100;
  return { min: Math.max(h.lo, quantile(h, 1 - q)), max: Math.min(h.hi, quantile(h, q)) };
}

const cube = (x: number) => x * x * x;

/**
 * ∫ from grid origin to t of the squared distance to the nearest point of the grid {k·s}: whole periods give
 * s³/12 each, the partial one u³/3 + s³/24 with u = t − s·round(t/s).
 */
function sawtoothIntegral(t: number, s: number): number {
  const k = Math.floor(t / s + 0.5);
  const u = t - k * s;
  return k * (cube(s) / 12) + cube(u) / 3 + cube(s) / 24;
}

/**
 * The sum of squared errors of rounding the histogram's values (uniform within each bin) to the int8 grid of
 * [clipMin, clipMax] (asymmetric, real 0 exact): rounding to the nearest step inside, saturation outside.
 */
export function quantizationError(h: Histogram, clipMin: number, clipMax: number): number {
  const { scale: s, zeroPoint: z } = activationParams(clipMin, clipMax);
  const gridLo = s * (-128 - z);
  const gridHi = s * (127 - z);
  const w = h.binWidth;
  let total = 0;
  for (let i = 0; i < h.bins; i++) {
    const c = h.counts[i];
    if (c === 0) continue;
    const l = h.lo + i * w;
    const r = l + w;
    if (w === 0) {
      const v = l < gridLo ? gridLo : l > gridHi ? gridHi : gridLo + s * Math.round((l - gridLo) / s);
      total += c * (l - v) ** 2;
      continue;
    }
    let sum = 0;
    if (l < gridLo) sum += (cube(Math.min(r, gridLo) - gridLo) - cube(l - gridLo)) / 3;
    if (r > gridHi) sum += (cube(r - gridHi) - cube(Math.max(l, gridHi) - gridHi)) / 3;
    const a = Math.max(l, gridLo);
    const b = Math.min(r, gridHi);
    if (b > a) sum += sawtoothIntegral(b - gridLo, s) - sawtoothIntegral(a - gridLo, s);
    total += (c * sum) / w;
  }
  return total;
}

/** Candidate clips per side: the observed end times k/STEPS, k = 1..STEPS. */
const STEPS = 100;

/**
 * The clip range with the least quantization error: a coordinate search over [min·j/100, max·k/100]
 * (upper end, then lower end, then upper end again), starting from the whole observed range (widened to 0).
 */
export function mseRange(h: Histogram): ValueRange {
  const lo = Math.min(h.lo, 0);
  const hi = Math.max(h.hi, 0);
  if (h.total === 0 || lo === hi) return { min: lo, max: hi };
  let j = STEPS;
  let k = STEPS;
  const error = (jj: number, kk: number) => quantizationError(h, (lo * jj) / STEPS, (hi * kk) / STEPS);
  let best = error(j, k);
  const searchUpper = () => {
    if (hi === 0) return;
    for (let kk = 1; kk <= STEPS; kk++) {
      const e = error(j, kk);
      if (e < best) [best, k] = [e, kk];
    }
  };
  const searchLower = () => {
    if (lo === 0) return;
    for (let jj = 1; jj <= STEPS; jj++) {
      const e = error(jj, k);
      if (e < best) [best, j] = [e, jj];
    }
  };
  searchUpper();
  searchLower();
  searchUpper();
  return { min: (lo * j) / STEPS, max: (hi * k) / STEPS };
}
