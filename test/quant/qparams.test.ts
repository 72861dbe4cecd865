// Quantization parameters by hand: asymmetric activations with an exact zero, per-channel weights, int32 biases, fused clamps, the input merge.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { mergedInputParams } from '../../src/quant/input-normalization.js';
import { activationClamp, activationParams, quantizeBias, quantizeValue, quantizeWeights, worstCaseAccumulator } from '../../src/quant/qparams.js';

describe('activation parameters', () => {
  it('spreads [min, max] over 255 steps with real 0 exactly on the zero point', () => {
    // [−1, 2]: scale fl32(3/255), zero point round(−128 + 1/scale) = round(−128 + 85) = −43.
    const p = activationParams(-1, 2);
    expect(p).toEqual({ scale: Math.fround(3 / 255), zeroPoint: -43 });
    expect(quantizeValue(0, p)).toBe(-43);
    expect(quantizeValue(-1, p)).toBe(-128);
    expect(quantizeValue(2, p)).toBe(127);
  });
  it('widens a range to hold 0', () => {
    expect(activationParams(2, 5)).toEqual({ scale: Math.fround(5 / 255), zeroPoint: -128 });
    expect(activationParams(-4, -1)).toEqual({ scale: Math.fround(4 / 255), zeroPoint: 127 });
    expect(activationParams(0, 0)).toEqual({ scale: 1, zeroPoint: 0 });
  });
  it('quantizes like QuantizeLinear: round half to even, then saturate', () => {
    const p = { scale: 0.5, zeroPoint: 0 };
    expect([0.25, 0.75, -0.25, -0.75, 100, -100].map((v) => quantizeValue(v, p))).toEqual([0, 2, 0, -2, 127, -128]);
  });
});

describe('fused activation clamps', () => {
  const p = { scale: 0.1, zeroPoint: -28 };
  it('ReLU clamps at the zero point; ReLU6 and Clip at their quantized bounds', () => {
    expect(activationClamp(undefined, p)).toEqual({ actMin: -128, actMax: 127 });
    expect(activationClamp({ min: 0, max: Infinity }, p)).toEqual({ actMin: -28, actMax: 127 });
    // 6 / 0.1 = 60 (fl32: 60.000001 → 60) + (−28) = 32.
    expect(activationClamp({ min: 0, max: 6 }, p)).toEqual({ actMin: -28, actMax: 32 });
    expect(activationClamp({ min: -1, max: 1 }, p)).toEqual({ actMin: -38, actMax: -18 });
  });
  it('saturates bounds beyond the int8 range', () => {
    expect(activationClamp({ min: -100, max: 100 }, p)).toEqual({ actMin: -128, actMax: 127 });
  });
});

describe('per-channel weights', () => {
  it('scales each output channel by its largest magnitude over 127, rounding half to even', () => {
    // Row 0: max 1 → scale fl32(1/127): 0.5 → 63.5 → 64 (even), −1 → −127, 0.25 → 31.75 → 32.
    // Row 1: max 4 → scale fl32(4/127): 4 → 127, 2 → 63.5 → 64, −1 → −31.75 → −32.
    const w = Tensor.fromNumbers('float32', [2, 3], [0.5, -1, 0.25, 4, 2, -1]);
    const { weights, scales } = quantizeWeights(w);
    expect(Array.from(scales.data as Float32Array)).toEqual([Math.fround(1 / 127), Math.fround(4 / 127)]);
    expect(Array.from(weights.data as Int8Array)).toEqual([64, -127, 32, 127, 64, -32]);
  });
  it('gives an all-zero (pruned) channel scale 1 and never produces -128', () => {
    const w = Tensor.fromNumbers('float32', [2, 1, 1, 2], [0, 0, -3, 3]);
    const { weights, scales } = quantizeWeights(w);
    expect(weights.shape).toEqual([2, 1, 1, 2]);
    expect(Array.from(scales.data as Float32Array)).toEqual([1, Math.fround(3 / 127)]);
    expect(Array.from(weights.data as Int8Array)).toEqual([0, 0, -127, 127]);
  });
});

describe('int32 bias', () => {
  it('divides by x_scale · w_scale[m] and rounds half to even', () => {
    const wScales = Tensor.fromNumbers('float32', [4], [0.5, 0.25, 1, 0.5]);
    // x_scale 0.5: 0.25/0.25 = 1; 0.375/0.125 = 3; 1.25/0.5 = 2.5 → 2; −0.75/0.25 = −3.
    expect(Array.from(quantizeBias([0.25, 0.375, 1.25, -0.75], 0.5, wScales).data as Int32Array)).toEqual([1, 3, 2, -3]);
    expect(Array.from(quantizeBias(undefined, 0.5, wScales).data as Int32Array)).toEqual([0, 0, 0, 0]);
  });
  it('saturates to int32', () => {
    const wScales = Tensor.fromNumbers('float32', [2], [1e-6, 1e-6]);
    expect(Array.from(quantizeBias([1e6, -1e6], 1e-6, wScales).data as Int32Array)).toEqual([2 ** 31 - 1, -(2 ** 31)]);
  });
  it('bounds the accumulator by taps · 255 · 127 plus the largest bias', () => {
    expect(worstCaseAccumulator(9, Tensor.fromNumbers('int32', [2], [-100, 7]))).toBe(9 * 255 * 127 + 100);
  });
});

describe('a normalization merged into the input QuantizeLinear', () => {
  it('makes the shift a whole number of steps and keeps the raw input zero on the input zero point', () => {
    // y = 0.5·x − 1 over x in [0, 16]: y in [−1, 7]; s0 = 8/255, n = trunc(−1/s0) = −31, s = 1/31.
    const { value, input } = mergedInputParams({ min: -1, max: 7 }, { scale: 0.5, shift: -1 });
    expect(value.scale).toBe(Math.fround(1 / 31));
    expect(value.zeroPoint).toBe(Math.round(-128 + 1 / Math.fround(1 / 31))); // −97
    expect(input.scale).toBe(Math.fround(Math.fround(1 / 31) / 0.5));
    expect(input.zeroPoint).toBe(value.zeroPoint - 31);
    // QuantizeLinear(x, input) equals the quantized y for every raw value (away from rounding ties).
    for (let x = 0; x <= 16; x += 0.37) expect(quantizeValue(x, input)).toBe(quantizeValue(0.5 * x - 1, value));
  });
  it('widens the range to hold the shift (the raw input 0)', () => {
    // y = 2·x + 5 with calibration y in [−9, −6]: the range becomes [−9, 5] so that x = 0 (y = 5) is an int8:
    // s0 = 14/255, n = trunc(5/s0) = 91, s = 5/91, zero point round(−128 + 9·91/5) = 36, input zero point 36 + 91 = 127.
    const { value, input } = mergedInputParams({ min: -9, max: -6 }, { scale: 2, shift: 5 });
    expect(value).toEqual({ scale: Math.fround(5 / 91), zeroPoint: 36 });
    expect(input.zeroPoint).toBe(127);
    expect(quantizeValue(0, input)).toBe(quantizeValue(5, value));
  });
});
