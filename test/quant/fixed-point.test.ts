// The int8 requantization rule: hand-computed edge cases, and the fast form against BigInt arithmetic.

import { describe, expect, it } from 'vitest';
import { multiplierValue, quantizeMultiplier, requantize, requantizeBig, requantizeToInt8 } from '../../src/quant/fixed-point.js';

describe('quantizeMultiplier', () => {
  it('normalizes the mantissa into [2^30, 2^31) with the matching shift', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 31 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 30 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 3 * 2 ** 29, shift: 31 });
    expect(quantizeMultiplier(2)).toEqual({ multiplier: 2 ** 30, shift: 29 });
  });
  it('rounds a mantissa that reaches 2^31 up to the next power of two', () => {
    const m = quantizeMultiplier(1 - 2 ** -33);
    expect(m).toEqual({ multiplier: 2 ** 30, shift: 30 });
  });
  it('keeps the relative error below 2^-31 for ordinary multipliers', () => {
    for (const r of [0.0001234, 0.003921568, 0.1, 0.33333, 0.9999, 1.5, 123.456]) {
      const m = quantizeMultiplier(r);
      expect(m.multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(m.multiplier).toBeLessThan(2 ** 31);
      expect(Math.abs(multiplierValue(m) - r) / r).toBeLessThanOrEqual(2 ** -31);
    }
  });
  it('caps the shift at 62 for tiny multipliers and gives 0 below 2^-63', () => {
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 2 ** 22, shift: 62 });
    expect(quantizeMultiplier(2 ** -70)).toEqual({ multiplier: 0, shift: 62 });
  });
  it('refuses multipliers of 2^30 and more, zero, negative and non-finite ones', () => {
    expect(() => quantizeMultiplier(2 ** 30)).toThrow(/2\^30/);
    expect(() => quantizeMultiplier(0)).toThrow(/positive finite/);
    expect(() => quantizeMultiplier(-1)).toThrow(/positive finite/);
    expect(() => quantizeMultiplier(NaN)).toThrow(/positive finite/);
    expect(() => quantizeMultiplier(Infinity)).toThrow(/positive finite/);
  });
});

describe('requantize', () => {
  const half = { multiplier: 2 ** 30, shift: 31 }; // 0.5
  it('rounds exact halves toward +infinity', () => {
    expect([3, 1, -1, -3, 5, -5].map((a) => requantize(a, half))).toEqual([2, 1, 0, -1, 3, -2]);
  });
  it('rounds non-ties to the nearest integer', () => {
    const third = quantizeMultiplier(1 / 3);
    expect([1, 2, -1, -2, 4, -4, 300, -300].map((a) => requantize(a, third))).toEqual([0, 1, 0, -1, 1, -1, 100, -100]);
  });
  it('handles the extremes of the int32 accumulator', () => {
    const big = { multiplier: 2 ** 31 - 1, shift: 31 }; // 1 - 2^-31
    expect(requantize(2 ** 31 - 1, big)).toBe(2 ** 31 - 2); // (2^31-1)^2 / 2^31 = 2^31 - 2 + 2^-31
    expect(requantize(-(2 ** 31), big)).toBe(-(2 ** 31) + 1);
  });
  it('saturates to int32 when a multiplier above 1 overflows (small shifts)', () => {
    const times4 = { multiplier: 2 ** 30, shift: 28 };
    expect(requantize(2 ** 30, times4)).toBe(2 ** 31 - 1);
    expect(requantize(-(2 ** 30), times4)).toBe(-(2 ** 31));
    expect(requantize(1000, times4)).toBe(4000);
  });
  it('agrees with BigInt arithmetic on every shift and random accumulators', () => {
    let seed = 12345;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed);
    const edges = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 15, -(2 ** 15), 65535, -65536];
    for (let shift = 1; shift <= 62; shift++) {
      for (const multiplier of [0, 2 ** 30, 2 ** 31 - 1, 2 ** 30 + 65535, 1518500250]) {
        for (let i = 0; i < 60; i++) {
          const acc = i < edges.length ? edges[i] : next() | 0;
          expect(requantize(acc, { multiplier, shift })).toBe(requantizeBig(acc, { multiplier, shift }));
        }
      }
    }
  });
  it('adds the zero point after rounding, then clamps to the activation range', () => {
    expect(requantizeToInt8(1000, half, 10, -128, 127)).toBe(127);
    expect(requantizeToInt8(-1000, half, 10, -128, 127)).toBe(-128);
    expect(requantizeToInt8(-1, half, -128, -128, 127)).toBe(-128);
    expect(requantizeToInt8(3, half, 127, -128, 127)).toBe(127);
    expect(requantizeToInt8(-3, half, 0, 0, 127)).toBe(0); // fused ReLU: clamp at the zero point
    expect(requantizeToInt8(21, half, -5, -128, 127)).toBe(6); // 10.5 → 11, -5 → 6
  });
});
