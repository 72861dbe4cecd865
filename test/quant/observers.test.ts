// Calibration observers and clip ranges: min/max, histogram bins, percentiles and the MSE error, computed by hand.
import { describe, expect, it } from 'vitest';
import { mseRange, percentileRange, quantile, quantizationError } from '../../src/quant/clip-range.js';
import { Histogram, MinMaxObserver } from '../../src/quant/observers.js';
import { activationParams } from '../../src/quant/qparams.js';

function histogram(lo: number, hi: number, bins: number, values: number[]): Histogram {
  const h = new Histogram(lo, hi, bins);
  h.observe(Float32Array.from(values));
  return h;
}

describe('MinMaxObserver', () => {
  it('keeps the running min and max over several tensors', () => {
    const o = new MinMaxObserver();
    o.observe(Float32Array.from([1, -2, 3]));
    o.observe(Float32Array.from([0.5, 7]));
    expect(o.range()).toEqual({ min: -2, max: 7 });
    expect(o.count).toBe(5);
  });
  it('reports [0, 0] before it has seen a value', () => {
    expect(new MinMaxObserver().range()).toEqual({ min: 0, max: 0 });
  });
});

describe('Histogram', () => {
  it('bins values over [lo, hi], the top value in the last bin, and counts exact zeros apart', () => {
    const h = histogram(-2, 2, 4, [-2, -1.5, -0.5, 0, 0, 0.5, 1.99, 2]);
    expect(Array.from(h.counts)).toEqual([2, 1, 1, 2]);
    expect(h.zeros).toBe(2);
    expect(h.total).toBe(8);
  });
});

describe('percentile', () => {
  it('interpolates within a bin', () => {
    // One value in each of [0,1), [1,2), [2,3), [3,4): the median is the end of the second bin.
    const h = histogram(0, 4, 4, [0.5, 1.5, 2.5, 3.5]);
    expect(quantile(h, 0.5)).toBe(2);
    expect(quantile(h, 0.25)).toBe(1);
    expect(quantile(h, 0.375)).toBe(1.5);
    expect(percentileRange(h, 75)).toEqual({ min: 1, max: 3 });
    expect(percentileRange(h, 100)).toEqual({ min: 0, max: 4 });
  });
  it('clips a rare outlier that min/max would keep', () => {
    const values = [...Array.from({ length: 9999 }, (_, i) => i / 9999), 100];
    const h = histogram(0, 100, 2048, values);
    const r = percentileRange(h, 99.9);
    expect(r.max).toBeLessThan(1.1); // one bin of 100/2048 around the 99.9th percentile, near 1
    expect(r.max).toBeGreaterThan(0.95);
  });
});

describe('quantizationError', () => {
  it('is 1/12 step² per value spread uniformly over whole steps', () => {
    // Range [0, 255] → scale 1 (fl32 of 255/255), zero point −128: the grid is the integers 0..255.
    expect(activationParams(0, 255)).toEqual({ scale: 1, zeroPoint: -128 });
    const h = histogram(0, 255, 255, Array.from({ length: 255 }, (_, i) => i + 0.5));
    expect(quantizationError(h, 0, 255)).toBeCloseTo(255 / 12, 9);
  });
  it('adds the squared distance to the clip for values beyond it', () => {
    // One value spread uniformly over [0, 2], clipped to [0, 1]: half of it rounds on the grid, the other
    // half saturates at 1: (255·s³/12 + ∫₁² (x − 1)² dx) / 2.
    const h = histogram(0, 2, 1, [1]);
    const s = activationParams(0, 1).scale;
    expect(quantizationError(h, 0, 1)).toBeCloseTo((255 * s ** 3 / 12 + 1 / 3) / 2, 7);
  });
  it('agrees with a brute-force sum over many values', () => {
    const values = Array.from({ length: 20000 }, (_, i) => -3 + (8 * (i + 0.5)) / 20000);
    const h = histogram(-3, 5, 64, values);
    const p = activationParams(-2, 4);
    const lo = p.scale * (-128 - p.zeroPoint);
    const hi = p.scale * (127 - p.zeroPoint);
    let brute = 0;
    for (const v of values) {
      const q = Math.min(hi, Math.max(lo, lo + p.scale * Math.round((v - lo) / p.scale)));
      brute += (v - q) ** 2;
    }
    expect(quantizationError(h, -2, 4) / brute).toBeCloseTo(1, 3);
  });
});

describe('mseRange', () => {
  it('clips at the candidate whose int8 grid has the least squared error', () => {
    // 100,000 values uniform on [0, 1] and one at 100: clipping at c costs (100 − c)² for the outlier and
    // saves rounding error on the rest (about 1e5·(c/255)²/12): the best clip lies well inside (0, 100).
    const values = [...Array.from({ length: 100000 }, (_, i) => (i + 0.5) / 100000), 100];
    const r = mseRange(histogram(0, 100, 2048, values));
    const bruteError = (clip: number) => {
      const p = activationParams(0, clip);
      const top = p.scale * (127 - p.zeroPoint);
      return values.reduce((e, v) => e + (v - Math.min(top, p.scale * Math.round(v / p.scale))) ** 2, 0);
    };
    const candidates = Array.from({ length: 100 }, (_, k) => k + 1);
    const best = candidates.reduce((a, b) => (bruteError(b) < bruteError(a) ? b : a));
    expect(r.min).toBe(0);
    expect(best).toBeGreaterThan(50);
    expect(best).toBeLessThan(100);
    expect(Math.abs(r.max - best)).toBeLessThanOrEqual(1);
    // With 10,000 values the outlier's error dominates: the whole range is kept.
    const few = [...Array.from({ length: 10000 }, (_, i) => (i + 0.5) / 10000), 100];
    expect(mseRange(histogram(0, 100, 2048, few)).max).toBeGreaterThan(97);
  });
  it('keeps a dense range whole', () => {
    const dense = mseRange(histogram(-1, 1, 2048, Array.from({ length: 1000 }, (_, i) => -1 + (2 * i) / 999)));
    expect(dense).toEqual({ min: -1, max: 1 });
  });
  it('ignores exact zeros: they are exact in every range', () => {
    const withZeros = histogram(0, 2, 2048, [...new Array(10000).fill(0), ...Array.from({ length: 100 }, (_, i) => (2 * (i + 1)) / 100)]);
    const without = histogram(0, 2, 2048, Array.from({ length: 100 }, (_, i) => (2 * (i + 1)) / 100));
    expect(mseRange(withZeros)).toEqual(mseRange(without));
  });
});
