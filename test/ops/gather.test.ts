// Gather: axes, negative and int32/int64 indices, any data dtype, and index range errors.
import { describe, expect, it } from 'vitest';
import { attr, elements, f32, i32, i64, iota, runOp, u64 } from './tensor-harness.js';

describe('Gather', () => {
  it('picks rows along axis 0 with an indices tensor of any shape', () => {
    const [y] = runOp('Gather', [iota([3, 2]), i64([2, 0, 1, 2], [2, 2])]);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(elements(y)).toEqual([4, 5, 0, 1, 2, 3, 4, 5]);
  });

  it('picks along a negative axis with negative int32 indices', () => {
    const [y] = runOp('Gather', [iota([2, 3]), i32([-1, 0])], { axis: attr.int(-1) });
    expect(y.shape).toEqual([2, 2]);
    expect(elements(y)).toEqual([2, 0, 5, 3]);
  });

  it('takes a scalar index (the rank drops) as PyTorch shape code does', () => {
    const [y] = runOp('Gather', [i64([4, 3, 2]), i64([0], [])]);
    expect(y.shape).toEqual([]);
    expect(elements(y)).toEqual([4n]);
  });

  it('copies int64 and uint64 values exactly', () => {
    const big = 2n ** 62n + 1n;
    expect(elements(runOp('Gather', [i64([1, -big, big]), i64([2, 1])])[0])).toEqual([big, -big]);
    const huge = 2n ** 64n - 1n;
    expect(elements(runOp('Gather', [u64([huge, 0]), i32([0])])[0])).toEqual([huge]);
  });

  it('rejects indices out of range and float indices', () => {
    expect(() => runOp('Gather', [f32([1, 2]), i64([2])])).toThrow(/index 2 is out of range/);
    expect(() => runOp('Gather', [f32([1, 2]), i64([-3])])).toThrow(/index -3 is out of range/);
    expect(() => runOp('Gather', [f32([1, 2]), f32([0])])).toThrow(/indices has type float32/);
  });
});
