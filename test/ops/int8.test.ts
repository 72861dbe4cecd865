// The int8 ops (ai.edgeprune): hand-computed requantization, zero points at the extremes, clamps, padding, and refusals.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Conv } from '../../src/ops/int8-conv.js';
import { Int8Gemm } from '../../src/ops/int8-gemm.js';
import { int, ints, runOp } from './nn-op-harness.js';

const f32 = (v: number[]) => Tensor.fromNumbers('float32', [v.length], v);
const s8 = (shape: number[], v: number[]) => Tensor.fromNumbers('int8', shape, v);
const s32 = (v: number[]) => Tensor.fromNumbers('int32', [v.length], v);
const values = (t: Tensor) => Array.from(t.data as Int8Array);

describe('Int8Conv', () => {
  it('rounds halves up after the zero point and bias, then clamps', () => {
    // acc = 1 + (x - 1) * 2 = 1, 3, 5, 7; × 0.5 = 0.5, 1.5, 2.5, 3.5 → 1, 2, 3, 4; − 1 → 0, 1, 2, 3; act_min 1.
    const x = s8([1, 1, 2, 2], [1, 2, 3, 4]);
    const [y] = runOp(Int8Conv, [x, f32([1]), s8([], [1]), s8([1, 1, 1, 1], [2]), f32([0.5]), f32([1]), s8([], [-1]), s32([1])], { act_min: int(1) });
    expect(values(y)).toEqual([1, 1, 2, 3]);
  });
  it('pads with the real zero: padded taps add nothing whatever the zero point', () => {
    // 1x1 input 5 with x_zero_point -128 (the extreme), 3x3 kernel of ones, pad 1: only the centre tap is inside.
    const x = s8([1, 1, 1, 1], [5]);
    const w = s8([1, 1, 3, 3], [1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const [y] = runOp(Int8Conv, [x, f32([1]), s8([], [-128]), w, f32([1 / 256]), f32([1]), s8([], [0])], { pads: ints([1, 1, 1, 1]) });
    expect(values(y)).toEqual([1]); // 133 / 256 = 0.52 → 1
  });
  it('saturates at -128 and 127 with zero points at the extremes', () => {
    const x = s8([1, 2, 1, 1], [127, -128]);
    const w = s8([2, 2, 1, 1], [127, 127, -127, -127]);
    const [y] = runOp(Int8Conv, [x, f32([1]), s8([], [-128]), w, f32([1, 1]), f32([1]), s8([], [127])]);
    // channel 0: 127·255 + 127·0 > 0 → 127 + 127 saturates; channel 1: −127·255 + 127 → −128.
    expect(values(y)).toEqual([127, -128]);
  });
  it('uses one multiplier per output channel', () => {
    const x = s8([1, 1, 1, 1], [10]);
    const w = s8([3, 1, 1, 1], [1, 1, 1]);
    const [y] = runOp(Int8Conv, [x, f32([1]), s8([], [0]), w, f32([1, 0.25, 0.05]), f32([1]), s8([], [0])]);
    expect(values(y)).toEqual([10, 3, 1]); // 2.5 → 3, 0.5 → 1
  });
  it('refuses weights of -128, non-int8 inputs and bad scales, naming them', () => {
    const x = s8([1, 1, 1, 1], [1]);
    const run = (w: Tensor, wScale = f32([1]), xs = x) => runOp(Int8Conv, [xs, f32([1]), s8([], [0]), w, wScale, f32([1]), s8([], [0])]);
    expect(() => run(s8([1, 1, 1, 1], [-128]))).toThrow(/symmetric int8 weights are in \[-127, 127\]/);
    expect(() => run(s8([1, 1, 1, 1], [1]), f32([0]))).toThrow(/w_scale holds 0/);
    expect(() => run(s8([1, 1, 1, 1], [1]), f32([1, 2]))).toThrow(/w_scale has shape 2/);
    expect(() => run(s8([1, 1, 1, 1], [1]), f32([1]), Tensor.fromNumbers('uint8', [1, 1, 1, 1], [1]))).toThrow(/input x/);
  });
  it('refuses an activation range outside int8', () => {
    const x = s8([1, 1, 1, 1], [1]);
    expect(() => runOp(Int8Conv, [x, f32([1]), s8([], [0]), s8([1, 1, 1, 1], [1]), f32([1]), f32([1]), s8([], [0])], { act_min: int(-129) })).toThrow(/act_min/);
  });
});

describe('Int8Gemm', () => {
  it('computes x · wᵀ per output row with its own scale', () => {
    // x = [3, -1] (zero point 1 → 2, -2); w rows [1, 2] and [-3, 4]; acc = 2 − 4 = −2 and −6 − 8 = −14, bias 1.
    const x = s8([1, 2], [3, -1]);
    const w = s8([2, 2], [1, 2, -3, 4]);
    const [y] = runOp(Int8Gemm, [x, f32([1]), s8([], [1]), w, f32([0.5, 0.25]), f32([1]), s8([], [0]), s32([1, 1])]);
    expect(values(y)).toEqual([0, -3]); // −0.5 → 0 (half up), −3.25 → −3
  });
  it('refuses a weight matrix whose rows do not match the input', () => {
    expect(() => runOp(Int8Gemm, [s8([1, 2], [1, 1]), f32([1]), s8([], [0]), s8([2, 3], [1, 1, 1, 1, 1, 1]), f32([1]), f32([1]), s8([], [0])])).toThrow(/M x 2/);
  });
});
