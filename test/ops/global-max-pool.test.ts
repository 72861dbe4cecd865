// GlobalMaxPool: largest value per (N, C) plane over every spatial axis, NaN losing to numbers.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { GlobalMaxPool } from '../../src/ops/global-max-pool.js';
import { f32, runOp } from './nn-op-harness.js';

describe('GlobalMaxPool', () => {
  it('takes the maximum of each plane of each batch item', () => {
    const [y] = runOp(GlobalMaxPool, [f32([2, 2, 2, 2], [1, 9, 3, 4, -5, -6, -2, -8, 0, 0, 0, 0, 7, 7, 8, -1])]);
    expect(y.shape).toEqual([2, 2, 1, 1]);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([9, -2, 0, 8]);
  });

  it('ignores NaN unless the plane is all NaN', () => {
    const [y] = runOp(GlobalMaxPool, [f32([1, 2, 3], [NaN, -4, -9, NaN, NaN, NaN])]);
    expect(y.data[0]).toBe(-4);
    expect(Number.isNaN(y.data[1])).toBe(true);
  });

  it('keeps float64 exactly', () => {
    const [y] = runOp(GlobalMaxPool, [Tensor.fromNumbers('float64', [1, 1, 2], [0.1, 0.30000000000000004])]);
    expect(y.dtype).toBe('float64');
    expect(y.data[0]).toBe(0.30000000000000004);
  });
});
