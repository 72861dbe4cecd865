// Flatten: shapes for every axis (negative and rank-wide), and exact copies of 64-bit integers.
import { describe, expect, it } from 'vitest';
import { attr, elements, i64, iota, runOp } from './tensor-harness.js';

describe('Flatten', () => {
  it('flattens around axis, negative and rank-wide included', () => {
    const x = iota([2, 3, 4]);
    expect(runOp('Flatten', [x])[0].shape).toEqual([2, 12]);
    expect(runOp('Flatten', [x], { axis: attr.int(0) })[0].shape).toEqual([1, 24]);
    expect(runOp('Flatten', [x], { axis: attr.int(3) })[0].shape).toEqual([24, 1]);
    expect(runOp('Flatten', [x], { axis: attr.int(-1) })[0].shape).toEqual([6, 4]);
    expect(() => runOp('Flatten', [x], { axis: attr.int(4) })).toThrow(/out of range/);
  });

  it('copies int64 exactly', () => {
    const big = 2n ** 62n + 1n;
    expect(elements(runOp('Flatten', [i64([big, -big], [1, 2, 1])])[0])).toEqual([big, -big]);
  });
});
