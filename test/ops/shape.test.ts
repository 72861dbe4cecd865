// Shape: dims as int64, start/end ranges, and the value infer hands to constant folding.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { attr, elements, inferOp, runOp } from './tensor-harness.js';

describe('Shape', () => {
  const x = new Tensor('uint8', [2, 3, 4, 5]);

  it('returns every dim as int64', () => {
    const [y] = runOp('Shape', [x]);
    expect(y.dtype).toBe('int64');
    expect(elements(y)).toEqual([2n, 3n, 4n, 5n]);
  });

  it('selects start..end, negative values counting from the back and clamped', () => {
    expect(elements(runOp('Shape', [x], { start: attr.int(1), end: attr.int(-1) })[0])).toEqual([3n, 4n]);
    expect(elements(runOp('Shape', [x], { start: attr.int(-10) })[0])).toEqual([2n, 3n, 4n, 5n]);
    expect(elements(runOp('Shape', [x], { end: attr.int(10) })[0])).toEqual([2n, 3n, 4n, 5n]);
    expect(runOp('Shape', [x], { start: attr.int(3), end: attr.int(1) })[0].shape).toEqual([0]);
  });

  it('gives the value at inference time, from the shape alone', () => {
    const [out] = inferOp('Shape', [{ dtype: 'float32', shape: [7, 1, 9] }]);
    expect(out.value).toBeDefined();
    expect(elements(out.value!)).toEqual([7n, 1n, 9n]);
  });

  it('gives a scalar input an empty shape', () => {
    expect(runOp('Shape', [new Tensor('float32', [])])[0].shape).toEqual([0]);
  });
});
