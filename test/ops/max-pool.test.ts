// MaxPool: Indices (batch and channel offsets, storage_order), ties, int8 with padding, empty windows, auto_pad.
import { describe, expect, it } from 'vitest';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { MaxPool } from '../../src/ops/max-pool.js';
import { f32, int, ints, runOp, str } from './nn-op-harness.js';

/** Naive 2-D max pool (stride 1, no padding) with indices in row- or column-major order over H, W. */
function naiveMaxPool2d(x: Tensor, k: number, columnMajor: boolean) {
  const [N, C, H, W] = x.shape;
  const OH = H - k + 1;
  const OW = W - k + 1;
  const values: number[] = [];
  const indices: bigint[] = [];
  for (let p = 0; p < N * C; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        let at = [0, 0];
        for (let h = oh; h < oh + k; h++)
          for (let w = ow; w < ow + k; w++) {
            const v = x.at(p * H * W + h * W + w);
            if (v > best) [best, at] = [v, [h, w]];
          }
        values.push(best);
        indices.push(BigInt(p * H * W + (columnMajor ? at[0] + at[1] * H : at[0] * W + at[1])));
      }
  return { values, indices };
}

const distinct = (shape: number[]) => f32(shape, Array.from({ length: shapeSize(shape) }, (_, i) => ((i * 37) % 101) - 50));

describe('MaxPool', () => {
  it('gives flat input indices including batch and channel offsets (storage_order 0)', () => {
    const x = distinct([2, 3, 4, 5]);
    const [y, idx] = runOp(MaxPool, [x], { kernel_shape: ints([2, 2]) }, ['y', 'indices']);
    const want = naiveMaxPool2d(x, 2, false);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual(want.values);
    expect(idx.dtype).toBe('int64');
    expect(Array.from(idx.data as ArrayLike<number | bigint>)).toEqual(want.indices);
  });

  it('counts indices column-major over the spatial axes with storage_order 1', () => {
    const x = distinct([2, 3, 4, 5]);
    const [, idx] = runOp(MaxPool, [x], { kernel_shape: ints([2, 2]), storage_order: int(1) }, ['y', 'indices']);
    expect(Array.from(idx.data as ArrayLike<number | bigint>)).toEqual(naiveMaxPool2d(x, 2, true).indices);
  });

  it('counts 3-D column-major indices as h + w·H + d·H·W', () => {
    const values = new Array<number>(8).fill(0);
    values[1 * 4 + 1 * 2 + 0] = 9; // h=1, w=1, d=0
    const x = f32([1, 1, 2, 2, 2], values);
    const rowMajor = runOp(MaxPool, [x], { kernel_shape: ints([2, 2, 2]) }, ['y', 'i'])[1];
    const colMajor = runOp(MaxPool, [x], { kernel_shape: ints([2, 2, 2]), storage_order: int(1) }, ['y', 'i'])[1];
    expect(rowMajor.data[0]).toBe(6n);
    expect(colMajor.data[0]).toBe(3n);
  });

  it('keeps the first of equal maxima and lets any number beat NaN', () => {
    const [y, idx] = runOp(MaxPool, [f32([1, 1, 1, 4], [NaN, 2, 2, 1])], { kernel_shape: ints([1, 4]) }, ['y', 'i']);
    expect(y.data[0]).toBe(2);
    expect(idx.data[0]).toBe(1n);
  });

  it('pools int8 without letting padding win', () => {
    const x = Tensor.fromNumbers('int8', [1, 1, 2, 2], [-5, -3, -7, -128]);
    const [y] = runOp(MaxPool, [x], { kernel_shape: ints([2, 2]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) });
    expect(y.dtype).toBe('int8');
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([-5, -3, -7, -128]);
  });

  it('omits Indices when the node has one output', () => {
    expect(runOp(MaxPool, [distinct([1, 1, 3, 3])], { kernel_shape: ints([2, 2]) })).toHaveLength(1);
  });

  it('pads SAME_LOWER at the begin and SAME_UPPER at the end', () => {
    const x = f32([1, 1, 4], [1, 5, 2, 4]);
    expect(Array.from(runOp(MaxPool, [x], { kernel_shape: ints([2]), auto_pad: str('SAME_UPPER') })[0].data as ArrayLike<number | bigint>)).toEqual([5, 5, 4, 4]);
    expect(Array.from(runOp(MaxPool, [x], { kernel_shape: ints([2]), auto_pad: str('SAME_LOWER') })[0].data as ArrayLike<number | bigint>)).toEqual([1, 5, 5, 4]);
  });

  it('refuses windows that read only padding, and a missing kernel_shape', () => {
    // Input 2, kernel 2 with dilation 3, pads 1 and 2: the first window reads positions -1 and 2.
    expect(() => runOp(MaxPool, [f32([1, 1, 2], [1, 2])], { kernel_shape: ints([2]), dilations: ints([3]), pads: ints([1, 2]) })).toThrow(
      /pooling window 0 along spatial axis 0 covers only padding/,
    );
    expect(() => runOp(MaxPool, [f32([1, 1, 2], [1, 2])], {})).toThrow(/attribute 'kernel_shape' is required/);
    expect(() => runOp(MaxPool, [f32([1, 2], [1, 2])], { kernel_shape: ints([1]) })).toThrow(/rank 3 or more/);
  });
});
