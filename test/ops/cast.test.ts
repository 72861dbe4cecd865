// Unit tests of Cast and CastLike: every conversion family, edge values, and unsupported target types.

import { describe, expect, it } from 'vitest';
import { onnxCodeOf, type DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { evalOp, f32, int, loadModel, values } from './ew-support.js';

const cast = (t: Tensor, to: DType) => evalOp('Cast', [t], { to: int(onnxCodeOf(to)) })[0];

describe('Cast', () => {
  it('truncates floats toward zero into integers', () => {
    const r = cast(f32([4], [-2.7, 2.7, -0.5, 7]), 'int32');
    expect(r.dtype).toBe('int32');
    expect(values(r)).toEqual([-2, 2, 0, 7]);
  });

  it('wraps out-of-range floats into narrow integers, NaN and infinities give 0', () => {
    expect(values(cast(f32([5], [300, -1, NaN, Infinity, -129]), 'int8'))).toEqual([44, -1, 0, 0, 127]);
    expect(values(cast(f32([2], [-1, 256.5]), 'uint8'))).toEqual([255, 0]);
  });

  it('converts to and from int64 exactly', () => {
    const r = cast(Tensor.fromNumbers('float64', [3], [1e15 + 0.5, -3.9, NaN]), 'int64');
    expect(values(r)).toEqual([1000000000000000n, -3n, 0n]);
    const wide = new Tensor('int64', [2], BigInt64Array.from([2n ** 40n + 5n, -1n]));
    expect(values(cast(wide, 'int32'))).toEqual([5, -1]);
    expect(values(cast(wide, 'uint64'))).toEqual([2n ** 40n + 5n, 2n ** 64n - 1n]);
    expect(values(cast(wide, 'float64'))).toEqual([2 ** 40 + 5, -1]);
  });

  it('maps nonzero (NaN included) to true and bools to 0/1', () => {
    const b = cast(f32([4], [0, -0, NaN, -2]), 'bool');
    expect(b.dtype).toBe('bool');
    expect(values(b)).toEqual([0, 0, 1, 1]);
    expect(values(cast(new Tensor('int64', [2], BigInt64Array.from([0n, 7n])), 'bool'))).toEqual([0, 1]);
    expect(values(cast(b, 'float32'))).toEqual([0, 0, 1, 1]);
  });

  it('rounds to float16 half to even and overflows to infinity', () => {
    const r = cast(f32([3], [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520]), 'float16');
    expect(values(r)).toEqual([1, 1 + 2 ** -9, Infinity]);
  });

  it('rounds float64 to the nearest float32', () => {
    expect(values(cast(Tensor.fromNumbers('float64', [1], [0.1]), 'float32'))).toEqual([Math.fround(0.1)]);
  });

  it('rounds half to even and wraps into 4-bit integers', () => {
    expect(values(cast(f32([5], [2.5, 3.5, -2.5, 9, 7.4]), 'int4'))).toEqual([2, 4, -2, -7, 7]);
    expect(values(cast(Tensor.fromNumbers('int32', [2], [17, -1]), 'uint4'))).toEqual([1, 15]);
  });

  it('refuses target types the IR does not hold, naming them', () => {
    for (const [code, name] of [[8, 'STRING'], [16, 'BFLOAT16'], [17, 'FLOAT8E4M3FN']] as const) {
      expect(() => evalOp('Cast', [f32([1], [1])], { to: int(code) })).toThrow(new RegExp(`attribute 'to' is ${name}, which edgeprune cannot hold`));
    }
    expect(() => evalOp('Cast', [f32([1], [1])], {})).toThrow(/attribute 'to' is missing/);
  });

  it('accepts the float8-only saturate attribute and refuses an unknown round_mode', () => {
    expect(values(evalOp('Cast', [f32([1], [1.5])], { to: int(6), saturate: int(0) })[0])).toEqual([1]);
    expect(() => evalOp('Cast', [f32([1], [1.5])], { to: int(6), round_mode: { kind: 'string', value: 'odd' } })).toThrow(/round_mode/);
  });
});

describe('CastLike', () => {
  it('casts to the type of its second input', () => {
    const r = evalOp('CastLike', [f32([2], [1.9, -1.9]), Tensor.fromNumbers('int16', [0], [])])[0];
    expect(r.dtype).toBe('int16');
    expect(values(r)).toEqual([1, -1]);
  });

  it('folds a constant first input even when the second is computed at run time', () => {
    const g = loadModel({
      opset: 15,
      nodes: [
        { op: 'CastLike', inputs: ['c', 'x'], outputs: ['c_cast'] },
        { op: 'Add', inputs: ['x', 'c_cast'], outputs: ['y'] },
      ],
      inputs: [{ name: 'x', dtype: 'float64', shape: [1] }],
      outputs: [{ name: 'y', dtype: 'float64', shape: [1] }],
      initializers: { c: f32([1], [0.5]) },
    });
    expect(g.nodes.map((n) => n.opType)).toEqual(['Add']);
    expect(g.initializers.get('c_cast')?.dtype).toBe('float64');
  });
});
