// MatMul: numpy 1-D promotion and batch broadcasting against a naive product, integer types, MACs and errors.
import { describe, expect, it } from 'vitest';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { MatMul } from '../../src/ops/mat-mul.js';
import { f32, macsOf, runOp } from './nn-op-harness.js';

const seq = (shape: number[], start = 1) => f32(shape, Array.from({ length: shapeSize(shape) }, (_, i) => ((i * 7 + start) % 11) - 5));

/** Naive batched product for rank >= 2 operands with equal rank, broadcasting size-1 batch dimensions. */
function naive(a: Tensor, b: Tensor): number[] {
  const r = a.shape.length;
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[r - 1];
  const batch = a.shape.slice(0, -2).map((d, i) => Math.max(d, b.shape[i]));
  const out: number[] = [];
  const idx = (shape: number[], coords: number[]) => coords.reduce((acc, c, i) => acc * shape[i] + (shape[i] === 1 ? 0 : c), 0);
  for (let f = 0; f < shapeSize(batch); f++) {
    const coords: number[] = [];
    let rem = f;
    for (let i = batch.length - 1; i >= 0; i--) {
      coords.unshift(rem % batch[i]);
      rem = Math.floor(rem / batch[i]);
    }
    const ai = idx(a.shape.slice(0, -2), coords) * M * K;
    const bi = idx(b.shape.slice(0, -2), coords) * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.at(ai + m * K + k) * b.at(bi + k * N + n);
        out.push(s);
      }
    }
  }
  return out;
}

describe('MatMul', () => {
  it('broadcasts batch dimensions like numpy', () => {
    const a = seq([3, 1, 2, 4]);
    const b = seq([1, 5, 4, 3], 4);
    const [y] = runOp(MatMul, [a, b]);
    expect(y.shape).toEqual([3, 5, 2, 3]);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual(naive(a, b));
  });

  it('broadcasts an operand of lower rank', () => {
    const a = seq([2, 3]);
    const b = seq([4, 3, 2], 3);
    const [y] = runOp(MatMul, [a, b]);
    expect(y.shape).toEqual([4, 2, 2]);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual(naive(a.reshaped([1, 2, 3]), b));
  });

  it('promotes 1-D operands and removes the promoted dimension', () => {
    const v = f32([3], [1, 2, 3]);
    expect(runOp(MatMul, [v, v])[0].shape).toEqual([]);
    expect(runOp(MatMul, [v, v])[0].data[0]).toBe(14);
    const m = f32([3, 2], [1, 0, 0, 1, 1, 1]);
    const [vm] = runOp(MatMul, [v, m]);
    expect(vm.shape).toEqual([2]);
    expect(Array.from(vm.data as ArrayLike<number | bigint>)).toEqual([4, 5]);
    const [mv] = runOp(MatMul, [f32([2, 2, 3], [1, 1, 1, 0, 0, 1, 2, 0, 0, 0, 1, 0]), v]);
    expect(mv.shape).toEqual([2, 2]);
    expect(Array.from(mv.data as ArrayLike<number | bigint>)).toEqual([6, 3, 2, 2]);
  });

  it('is exact for int64 and wraps int32', () => {
    const big = Tensor.fromNumbers('int64', [1, 1], [3]);
    (big.data as BigInt64Array)[0] = 3_000_000_000_000n;
    const [y] = runOp(MatMul, [big, Tensor.fromNumbers('int64', [1, 1], [1_000_000])]);
    expect((y.data as BigInt64Array)[0]).toBe(3_000_000_000_000_000_000n);
    const [w] = runOp(MatMul, [Tensor.fromNumbers('int32', [1, 1], [65536]), Tensor.fromNumbers('int32', [1, 1], [65537])]);
    expect(w.data[0]).toBe(65536); // 2^32 + 2^16 wraps to 2^16
  });

  it('counts batch·M·N·K MACs, with broadcast and 1-D operands', () => {
    expect(macsOf(MatMul, [[3, 1, 2, 4], [5, 4, 6]])).toBe(3 * 5 * 2 * 6 * 4);
    expect(macsOf(MatMul, [[4], [4, 3]])).toBe(12);
    expect(macsOf(MatMul, [[4], [4]])).toBe(4);
    expect(MatMul.paramInputs).toEqual({ 0: 'weight', 1: 'weight' });
  });

  it('reports shape mismatches', () => {
    expect(() => runOp(MatMul, [seq([2, 3]), seq([4, 2])])).toThrow(/inner dimensions differ: A is 2x3, B is 4x2/);
    expect(() => runOp(MatMul, [seq([2, 2, 3]), seq([3, 3, 2])])).toThrow(/batch dimensions do not broadcast/);
    expect(() => runOp(MatMul, [f32([], [1]), seq([2])])).toThrow(/rank 1 or more/);
    expect(() => runOp(MatMul, [seq([2, 3]), Tensor.fromNumbers('int32', [3, 1], [1, 2, 3])])).toThrow(/mix types/);
  });
});
