// Gemm: C broadcasting, transposes with alpha/beta, float32 rounding order, integer types, MACs and errors.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { Gemm } from '../../src/ops/gemm.js';
import { f32, float, int, macsOf, runOp } from './nn-op-harness.js';

const A = f32([2, 3], [1, 2, 3, 4, 5, 6]);
const B = f32([3, 2], [1, 0, 0, 1, 1, 1]);
// A·B = [[4, 5], [10, 11]]

describe('Gemm', () => {
  it('broadcasts C as a row, a column, a scalar or a full matrix', () => {
    expect(Array.from(runOp(Gemm, [A, B, f32([2], [10, 20])])[0].data as ArrayLike<number | bigint>)).toEqual([14, 25, 20, 31]);
    expect(Array.from(runOp(Gemm, [A, B, f32([2, 1], [10, 20])])[0].data as ArrayLike<number | bigint>)).toEqual([14, 15, 30, 31]);
    expect(Array.from(runOp(Gemm, [A, B, f32([], [1])])[0].data as ArrayLike<number | bigint>)).toEqual([5, 6, 11, 12]);
    expect(Array.from(runOp(Gemm, [A, B, f32([1, 1], [1])])[0].data as ArrayLike<number | bigint>)).toEqual([5, 6, 11, 12]);
    expect(Array.from(runOp(Gemm, [A, B, f32([2, 2], [1, 2, 3, 4])])[0].data as ArrayLike<number | bigint>)).toEqual([5, 7, 13, 15]);
  });

  it('works without C', () => {
    const [y] = runOp(Gemm, [A, B]);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([4, 5, 10, 11]);
  });

  it('applies transA, transB, alpha and beta', () => {
    const At = f32([3, 2], [1, 4, 2, 5, 3, 6]);
    const Bt = f32([2, 3], [1, 0, 1, 0, 1, 1]);
    const attrs = { transA: int(1), transB: int(1), alpha: float(0.5), beta: float(2) };
    const [y] = runOp(Gemm, [At, Bt, f32([2], [1, -1])], attrs);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([2 + 2, 2.5 - 2, 5 + 2, 5.5 - 2]);
  });

  it('skips C when beta is 0 (even for NaN), as the reference does', () => {
    const [y] = runOp(Gemm, [A, B, f32([2], [NaN, NaN])], { beta: float(0) });
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([4, 5, 10, 11]);
  });

  it('rounds every float32 product and sum in k order', () => {
    // 1 + 2^-24 rounds back to 1 at each step; an exact sum would give 1 + 2^-23.
    const tiny = 2 ** -24;
    const [y] = runOp(Gemm, [f32([1, 3], [1, tiny, tiny]), f32([3, 1], [1, 1, 1])]);
    expect(y.data[0]).toBe(1);
  });

  it('wraps int32 products and adds an integer bias', () => {
    const a = Tensor.fromNumbers('int32', [1, 2], [65536, 3]);
    const b = Tensor.fromNumbers('int32', [2, 1], [65536, 4]);
    const c = Tensor.fromNumbers('int32', [1], [5]);
    const [y] = runOp(Gemm, [a, b, c]);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([0 + 12 + 5]); // 2^32 wraps to 0
  });

  it('refuses alpha other than 1 on integer inputs', () => {
    const a = Tensor.fromNumbers('int32', [1, 1], [1]);
    expect(() => runOp(Gemm, [a, a], { alpha: float(2) })).toThrow(/integer Gemm is supported only with alpha = beta = 1/);
  });

  it('counts M·N·K MACs and marks B as weight and C as bias', () => {
    expect(macsOf(Gemm, [[2, 3], [3, 4]])).toBe(2 * 4 * 3);
    expect(macsOf(Gemm, [[3, 2], [4, 3], [4]], { transA: int(1), transB: int(1) })).toBe(2 * 4 * 3);
    expect(Gemm.paramInputs).toEqual({ 1: 'weight', 2: 'bias' });
  });

  it('reports shape mismatches', () => {
    expect(() => runOp(Gemm, [A, f32([2, 2], [1, 2, 3, 4])])).toThrow(/inner dimensions differ/);
    expect(() => runOp(Gemm, [A, B, f32([3], [1, 2, 3])])).toThrow(/input C has shape 3, which does not broadcast to the output 2x2/);
    expect(() => runOp(Gemm, [A, B, f32([1, 1, 2], [1, 2])])).toThrow(/does not broadcast/);
    expect(() => runOp(Gemm, [f32([1, 2, 3], [1, 2, 3, 4, 5, 6]), B])).toThrow(/input A has rank 3/);
  });
});
