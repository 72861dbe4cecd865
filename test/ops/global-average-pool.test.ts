// GlobalAveragePool: mean per (N, C) plane over every spatial axis, any rank from 2.
import { describe, expect, it } from 'vitest';
import { GlobalAveragePool } from '../../src/ops/global-average-pool.js';
import { f32, runOp } from './nn-op-harness.js';

describe('GlobalAveragePool', () => {
  it('averages each plane of a 3-D input and keeps spatial dims as 1', () => {
    const [y] = runOp(GlobalAveragePool, [f32([1, 2, 2, 1, 2], [1, 2, 3, 4, 10, 20, 30, 40])]);
    expect(y.shape).toEqual([1, 2, 1, 1, 1]);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([2.5, 25]);
  });

  it('averages 1-D inputs and leaves a rank-2 input unchanged', () => {
    expect(Array.from(runOp(GlobalAveragePool, [f32([2, 1, 3], [1, 2, 6, 3, 3, 3])])[0].data as ArrayLike<number | bigint>)).toEqual([3, 3]);
    expect(Array.from(runOp(GlobalAveragePool, [f32([1, 2], [7, 8])])[0].data as ArrayLike<number | bigint>)).toEqual([7, 8]);
  });

  it('needs at least N and C', () => {
    expect(() => runOp(GlobalAveragePool, [f32([3], [1, 2, 3])])).toThrow(/expected N x C x spatial/);
  });
});
