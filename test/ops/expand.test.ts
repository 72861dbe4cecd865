// Expand: bidirectional broadcasting to a constant shape, exact for 64-bit integers.
import { describe, expect, it } from 'vitest';
import { elements, f32, i64, iota, runOp } from './tensor-harness.js';

describe('Expand', () => {
  it('broadcasts a column to a matrix', () => {
    const [y] = runOp('Expand', [f32([1, 2, 3], [3, 1]), i64([3, 2])]);
    expect(y.shape).toEqual([3, 2]);
    expect(elements(y)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('keeps input dims where the shape says 1, and adds leading dims', () => {
    const [y] = runOp('Expand', [iota([2, 3]), i64([2, 1, 1])]);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(elements(y)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  });

  it('copies int64 values exactly', () => {
    const big = 2n ** 62n + 1n;
    expect(elements(runOp('Expand', [i64([big]), i64([3])])[0])).toEqual([big, big, big]);
  });

  it('rejects shapes that do not broadcast, and a computed shape', () => {
    expect(() => runOp('Expand', [iota([3]), i64([2])])).toThrow(/cannot broadcast/);
    expect(() => runOp('Expand', [iota([3]), i64([3])], {}, { runtimeInputs: [0, 1] })).toThrow(/must be a constant/);
  });
});
