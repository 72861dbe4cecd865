// ConstantOfShape: default float 0, a typed fill value, and an empty shape giving a scalar.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { attr, elements, f32, i64, runOp } from './tensor-harness.js';

const constantShape = { runtimeInputs: [] };

describe('ConstantOfShape', () => {
  it('fills float32 zeros by default', () => {
    const [y] = runOp('ConstantOfShape', [i64([2, 3])], {}, constantShape);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 3]);
    expect(elements(y)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('fills with the value attribute in its dtype, int64 exactly', () => {
    const big = 2n ** 62n + 5n;
    const [y] = runOp('ConstantOfShape', [i64([2])], { value: attr.tensor(new Tensor('int64', [1], BigInt64Array.of(big))) }, constantShape);
    expect(y.dtype).toBe('int64');
    expect(elements(y)).toEqual([big, big]);
  });

  it('gives a scalar for an empty shape and an empty tensor for a zero dim', () => {
    expect(runOp('ConstantOfShape', [i64([])], { value: attr.tensor(f32([7])) }, constantShape)[0].shape).toEqual([]);
    expect(runOp('ConstantOfShape', [i64([0, 4])], {}, constantShape)[0].size).toBe(0);
  });

  it('rejects a value of several elements and negative dims', () => {
    expect(() => runOp('ConstantOfShape', [i64([2])], { value: attr.tensor(f32([1, 2])) }, constantShape)).toThrow(/exactly one/);
    expect(() => runOp('ConstantOfShape', [i64([-1])], {}, constantShape)).toThrow(/negative dim/);
  });
});
