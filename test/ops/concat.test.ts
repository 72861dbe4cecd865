// Concat: negative axes, zero-sized inputs, exact 64-bit integers, and shape errors.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { attr, elements, f32, i32, iota, runOp, u64 } from './tensor-harness.js';

describe('Concat', () => {
  it('joins along a negative axis, with a zero-sized input among them', () => {
    const [y] = runOp('Concat', [iota([2, 2]), new Tensor('float32', [2, 0]), f32([9, 8], [2, 1])], { axis: attr.int(-1) }, { runtimeInputs: [0, 1, 2] });
    expect(y.shape).toEqual([2, 3]);
    expect(elements(y)).toEqual([0, 1, 9, 2, 3, 8]);
  });

  it('joins many long blocks (the block-copy path)', () => {
    const [y] = runOp('Concat', [iota([2, 20]), iota([2, 20])], { axis: attr.int(0) });
    expect(y.shape).toEqual([4, 20]);
    expect(elements(y).slice(38, 42)).toEqual([38, 39, 0, 1]);
  });

  it('joins uint64 values exactly', () => {
    const huge = 2n ** 64n - 1n;
    expect(elements(runOp('Concat', [u64([huge]), u64([1n, huge])], { axis: attr.int(0) })[0])).toEqual([huge, 1n, huge]);
  });

  it('rejects mixed types, mismatched shapes and a missing axis', () => {
    expect(() => runOp('Concat', [f32([1]), i32([1])], { axis: attr.int(0) })).toThrow(/mix types/);
    expect(() => runOp('Concat', [iota([2, 2]), iota([3, 2])], { axis: attr.int(1) })).toThrow(/differ off axis/);
    expect(() => runOp('Concat', [f32([1])])).toThrow(/'axis' is required/);
  });
});
