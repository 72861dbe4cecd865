// AveragePool: divisors with count_include_pad and ceil_mode (the overhang past the end padding never counts), auto_pad.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { AveragePool } from '../../src/ops/average-pool.js';
import { f32, int, ints, runOp, str } from './nn-op-harness.js';

const x = f32([1, 1, 4], [1, 2, 3, 4]);
// Kernel 3, stride 2, pads 1 and 1, ceil_mode: windows start at -1, 1 and 3; the last one reads
// 4, then the end pad (position 4), then position 5, which lies past the padding.
const ceilAttrs = { kernel_shape: ints([3]), strides: ints([2]), pads: ints([1, 1]), ceil_mode: int(1) };

describe('AveragePool', () => {
  it('divides by the input taps by default', () => {
    expect(Array.from(runOp(AveragePool, [x], ceilAttrs)[0].data as ArrayLike<number | bigint>)).toEqual([1.5, 3, 4]);
  });

  it('counts padding but not the ceil_mode overhang with count_include_pad', () => {
    expect(Array.from(runOp(AveragePool, [x], { ...ceilAttrs, count_include_pad: int(1) })[0].data as ArrayLike<number | bigint>)).toEqual([1, 3, 2]);
  });

  it('counts auto_pad padding with count_include_pad', () => {
    const [y] = runOp(AveragePool, [x], { kernel_shape: ints([2]), auto_pad: str('SAME_UPPER'), count_include_pad: int(1) });
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([1.5, 2.5, 3.5, 2]);
  });

  it('ignores ceil_mode with auto_pad VALID, as the spec gives the sizes', () => {
    const [y] = runOp(AveragePool, [f32([1, 1, 5], [1, 2, 3, 4, 5])], { kernel_shape: ints([2]), strides: ints([2]), auto_pad: str('VALID'), ceil_mode: int(1) });
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([1.5, 3.5]);
  });

  it('pools 2-D windows with dilations', () => {
    const [y] = runOp(AveragePool, [f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])], { kernel_shape: ints([2, 2]), dilations: ints([2, 2]) });
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect(y.data[0]).toBe((1 + 3 + 7 + 9) / 4);
  });

  it('accepts only float inputs', () => {
    const int8 = Tensor.fromNumbers('int8', [1, 1, 2], [1, 2]);
    expect(() => runOp(AveragePool, [int8], { kernel_shape: ints([2]) })).toThrow(/input X has type int8/);
  });
});
