// Constant: each value attribute form, exact int64, and clear errors for strings, sparse values and ambiguity.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { attr, elements, inferOp, runOp } from './tensor-harness.js';

describe('Constant', () => {
  it('outputs the value tensor, also as its inferred value', () => {
    const value = new Tensor('uint64', [2], BigUint64Array.of(2n ** 64n - 1n, 1n));
    const [y] = runOp('Constant', [], { value: attr.tensor(value) });
    expect(elements(y)).toEqual([2n ** 64n - 1n, 1n]);
    expect(inferOp('Constant', [], { value: attr.tensor(value) })[0].value).toBe(value);
  });

  it('builds float32 from value_float(s) and int64 from value_int(s)', () => {
    const scalar = runOp('Constant', [], { value_float: attr.float(1.5) })[0];
    expect([scalar.dtype, scalar.shape, elements(scalar)]).toEqual(['float32', [], [1.5]]);
    const floats = runOp('Constant', [], { value_floats: attr.floats([1, 2]) })[0];
    expect([floats.dtype, floats.shape]).toEqual(['float32', [2]]);
    const int = runOp('Constant', [], { value_int: attr.int(-3) })[0];
    expect([int.dtype, int.shape, elements(int)]).toEqual(['int64', [], [-3n]]);
    const ints = runOp('Constant', [], { value_ints: attr.ints([4, 2 ** 63]) })[0];
    expect(elements(ints)).toEqual([4n, 2n ** 63n - 1n]);
  });

  it('rejects string and sparse values, and zero or several values', () => {
    expect(() => runOp('Constant', [], { value_string: attr.string('a') })).toThrow(/'value_string' is not supported/);
    expect(() => runOp('Constant', [], { sparse_value: attr.int(0) })).toThrow(/'sparse_value' is not supported/);
    expect(() => runOp('Constant', [], {})).toThrow(/exactly one/);
    expect(() => runOp('Constant', [], { value_int: attr.int(1), value_float: attr.float(1) })).toThrow(/it has 2/);
  });
});
