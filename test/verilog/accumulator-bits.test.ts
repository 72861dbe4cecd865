// src/emit/verilog/accumulator-bits.ts: the exact accumulator range of a layer's outputs (reached at both ends, checked
// by brute force over every input vector of small layers) and the smallest signed width holding it; ep_dense_folded's
// bound of it.
import { describe, expect, it } from 'vitest';
import { accumulatorRange, foldedAccumulatorBits, layerAccumulatorBits, outputAccumulatorBits, signedBits } from '../../src/emit/verilog/accumulator-bits.js';
import { Random } from '../../src/util/random.js';

/** Every accumulator BIAS + sum w_i x_i over all inputs in [lo, hi]^n (small n only). */
function bruteForce(weights: number[], bias: number, lo: number, hi: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  const x = weights.map(() => lo);
  for (;;) {
    const acc = weights.reduce((s, w, i) => s + w * x[i], bias);
    min = Math.min(min, acc);
    max = Math.max(max, acc);
    let i = 0;
    while (i < x.length && x[i] === hi) x[i++] = lo;
    if (i === x.length) return { min, max };
    x[i]++;
  }
}

describe('accumulator widths', () => {
  it('signedBits: the smallest two’s complement width, at the edges of each width', () => {
    expect(signedBits(0, 0)).toBe(1);
    expect(signedBits(-1, 0)).toBe(1);
    expect(signedBits(0, 1)).toBe(2);
    expect(signedBits(-128, 127)).toBe(8);
    expect(signedBits(-129, 127)).toBe(9);
    expect(signedBits(-128, 128)).toBe(9);
    expect(signedBits(-(2 ** 31), 2 ** 31 - 1)).toBe(32);
    expect(signedBits(0, 2 ** 31)).toBe(33);
    expect(() => signedBits(2, 1)).toThrow(/not a range/);
  });

  it('the range is exact: both ends are reached, by brute force over every input vector of small random layers', () => {
    const r = new Random(9);
    const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
    for (let k = 0; k < 30; k++) {
      const weights = Array.from({ length: int(1, 2) }, () => (r.next() < 0.3 ? 0 : int(-127, 127)));
      const bias = int(-40000, 40000);
      const [lo, hi] = k % 2 ? [-128, 127] : [int(-128, 0), int(0, 127)];
      expect(accumulatorRange(weights, bias, { min: lo, max: hi }), JSON.stringify({ weights, bias, lo, hi })).toEqual(bruteForce(weights, bias, lo, hi));
    }
  });

  it('matches brute force on two-input layers over the whole int8 grid', () => {
    for (const [weights, bias] of [[[127, -127], 0], [[-127, -127], 1000], [[0, 5], -3], [[1, 0], 2 ** 20]] as [number[], number][]) {
      expect(accumulatorRange(weights, bias)).toEqual(bruteForce(weights, bias, -128, 127));
    }
  });

  it('per output and per layer: a pruned output needs fewer bits; the layer takes the widest', () => {
    // Output 0: 16 weights of 127 (|acc| ≤ 16·127·128 + bias = 260,096 + 100 → 19 bits); output 1: all pruned, bias -5 (4 bits).
    const weights = [...new Array(16).fill(127), ...new Array(16).fill(0)];
    const bias = [100, -5];
    expect(outputAccumulatorBits(weights, bias, 16)).toEqual([19, 4]);
    expect(layerAccumulatorBits(weights, bias, 16)).toBe(19);
    // After a ReLU with zero point -128 the inputs are in [-128, 127] still; a clamp to [0, 6] narrows them.
    expect(layerAccumulatorBits(weights, bias, 16, { min: 0, max: 6 })).toBe(signedBits(-5, 16 * 127 * 6 + 100));
    expect(() => outputAccumulatorBits(weights, bias, 15)).toThrow(/32 weights for 2 outputs of 15 inputs/);
    expect(() => accumulatorRange([1], 0, { min: -129, max: 0 })).toThrow(/not within int8/);
  });
});

describe('foldedAccumulatorBits (ep_dense_folded\'s ACC_BITS)', () => {
  it('holds |bias| + 128·Σ|w| of the widest output, within 17..32 bits, and never less than the exact width', () => {
    expect(foldedAccumulatorBits([0, 0], [0], 2)).toBe(17); // a product's 16 bits and a carry
    expect(foldedAccumulatorBits([0], [2 ** 16 - 1], 1)).toBe(17);
    expect(foldedAccumulatorBits([0], [-(2 ** 16)], 1)).toBe(18); // 2^16 needs 18 signed bits in this bound
    expect(foldedAccumulatorBits([127, -128, 0, 0], [10, -3], 2)).toBe(17); // 128·255 + 10 < 2^16
    expect(foldedAccumulatorBits([0, 0], [2 ** 31 - 1, 0], 1)).toBe(32); // beyond 2^30: the whole int32
    const r = new Random(5);
    for (let t = 0; t < 50; t++) {
      const nIn = 1 + r.int(64);
      const nOut = 1 + r.int(8);
      const weights = Array.from({ length: nIn * nOut }, () => r.int(256) - 128);
      const bias = Array.from({ length: nOut }, () => r.int(2 ** 22) - 2 ** 21);
      expect(foldedAccumulatorBits(weights, bias, nIn)).toBeGreaterThanOrEqual(layerAccumulatorBits(weights, bias, nIn));
    }
  });
});
