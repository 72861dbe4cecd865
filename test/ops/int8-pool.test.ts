// Int8AveragePool and Int8GlobalAveragePool (ai.edgeprune): hand-computed sums, window counts, rounding, saturation, refusals.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8AveragePool } from '../../src/ops/int8-average-pool.js';
import { Int8GlobalAveragePool } from '../../src/ops/int8-global-average-pool.js';
import { int, ints, runOp } from './nn-op-harness.js';

const f32 = (v: number) => Tensor.fromNumbers('float32', [], [v]);
const s8 = (shape: number[], v: number[]) => Tensor.fromNumbers('int8', shape, v);
const zp = (v: number) => Tensor.fromNumbers('int8', [], [v]);
const values = (t: Tensor) => Array.from(t.data as Int8Array);
const k2 = { kernel_shape: ints([2, 2]) };

describe('Int8AveragePool', () => {
  it('rounds the mean half up, for positive and negative sums', () => {
    // Σ = 10 over 4 taps: 2.5 → 3; Σ = −10: −2.5 → −2 (half toward +infinity).
    expect(values(runOp(Int8AveragePool, [s8([1, 1, 2, 2], [1, 2, 3, 4]), f32(1), zp(0), f32(1), zp(0)], k2)[0])).toEqual([3]);
    expect(values(runOp(Int8AveragePool, [s8([1, 1, 2, 2], [-1, -2, -3, -4]), f32(1), zp(0), f32(1), zp(0)], k2)[0])).toEqual([-2]);
  });
  it('subtracts the input zero point, scales by x_scale / y_scale and adds the output zero point', () => {
    // x − (−128) = 0, 0, 0, 1 → Σ = 1 → ×(0.5/0.25)/4 = 0.5 → 1; + y_zero_point 10 = 11.
    const [y] = runOp(Int8AveragePool, [s8([1, 1, 2, 2], [-128, -128, -128, -127]), f32(0.5), zp(-128), f32(0.25), zp(10)], k2);
    expect(values(y)).toEqual([11]);
  });
  it('counts only the taps inside the input by default, the padded window with count_include_pad', () => {
    // 2x2 input (x − 2 = 2, 6, 10, 14), kernel 2, stride 2, pad 1: every window holds one input tap.
    const x = s8([1, 1, 2, 2], [4, 8, 12, 16]);
    const attrs = { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) };
    const inputs = [x, f32(1), zp(2), f32(1), zp(0)];
    expect(values(runOp(Int8AveragePool, inputs, attrs)[0])).toEqual([2, 6, 10, 14]);
    // Padded taps are the real 0: Σ / 4 = 0.5, 1.5, 2.5, 3.5 → 1, 2, 3, 4.
    expect(values(runOp(Int8AveragePool, inputs, { ...attrs, count_include_pad: int(1) })[0])).toEqual([1, 2, 3, 4]);
  });
  it('saturates at 127 and -128 with zero points at the extremes', () => {
    // x − (−128) = 255 everywhere; mean 255 + y_zero_point 127 → 127.
    expect(values(runOp(Int8AveragePool, [s8([1, 1, 2, 2], [127, 127, 127, 127]), f32(1), zp(-128), f32(1), zp(127)], k2)[0])).toEqual([127]);
    // x − 127 = −255 everywhere; −255 + (−128) → −128.
    expect(values(runOp(Int8AveragePool, [s8([1, 1, 2, 2], [-128, -128, -128, -128]), f32(1), zp(127), f32(1), zp(-128)], k2)[0])).toEqual([-128]);
  });
  it('clamps to the fused activation range', () => {
    const [y] = runOp(Int8AveragePool, [s8([1, 2, 2, 2], [1, 2, 3, 4, -8, -8, -8, -8]), f32(1), zp(0), f32(1), zp(0)], { ...k2, act_min: int(0), act_max: int(2) });
    expect(values(y)).toEqual([2, 0]); // 3 → 2, −8 → 0
  });
  it('refuses float inputs, bad scales and windows past the int32 accumulator', () => {
    const x = s8([1, 1, 2, 2], [1, 2, 3, 4]);
    expect(() => runOp(Int8AveragePool, [Tensor.fromNumbers('float32', [1, 1, 2, 2], [1, 2, 3, 4]), f32(1), zp(0), f32(1), zp(0)], k2)).toThrow(/input x has type float32/);
    expect(() => runOp(Int8AveragePool, [x, f32(1), zp(0), f32(0), zp(0)], k2)).toThrow(/y_scale holds 0/);
    expect(() => runOp(Int8AveragePool, [x, f32(1), zp(0), f32(1), zp(0)], { kernel_shape: ints([3000, 3000]) })).toThrow(/9000000 taps.*at most 8421504/);
  });
});

describe('Int8GlobalAveragePool', () => {
  it('averages each plane with one rounding, half up', () => {
    // Σ = 7 and −7 over 3: 2.33 → 2, −2.33 → −2; with y_scale 0.5: 4.67 → 5, −4.67 → −5.
    const x = s8([1, 2, 1, 3], [1, 2, 4, -1, -2, -4]);
    expect(values(runOp(Int8GlobalAveragePool, [x, f32(1), zp(0), f32(1), zp(0)])[0])).toEqual([2, -2]);
    const [y] = runOp(Int8GlobalAveragePool, [x, f32(1), zp(0), f32(0.5), zp(0)]);
    expect(y.shape).toEqual([1, 2, 1, 1]);
    expect(values(y)).toEqual([5, -5]);
  });
  it('saturates with zero points at the extremes and honours the fused clamp', () => {
    const x = s8([1, 2, 1, 2], [127, 127, -128, -128]);
    // plane 0: x − (−128) = 255 → 255 + 127 → 127; plane 1: 0 + 127 = 127.
    expect(values(runOp(Int8GlobalAveragePool, [x, f32(1), zp(-128), f32(1), zp(127)])[0])).toEqual([127, 127]);
    // x − 127 = 0 and −255: + (−128) → −128 and −128 (saturated); act_min −100 lifts both.
    expect(values(runOp(Int8GlobalAveragePool, [x, f32(1), zp(127), f32(1), zp(-128)])[0])).toEqual([-128, -128]);
    expect(values(runOp(Int8GlobalAveragePool, [x, f32(1), zp(127), f32(1), zp(-128)], { act_min: int(-100) })[0])).toEqual([-100, -100]);
  });
  it('refuses inputs without spatial axes', () => {
    expect(() => runOp(Int8GlobalAveragePool, [s8([1, 2], [1, 2]), f32(1), zp(0), f32(1), zp(0)])).toThrow(/N x C x spatial/);
  });
});
