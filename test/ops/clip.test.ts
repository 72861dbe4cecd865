// Unit tests of Clip: bounds as inputs or pre-11 attributes, integer types, min > max, NaN.

import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { evalOp, f32, float, loadModel, runModel, values, type TestModel } from './ew-support.js';

describe('Clip', () => {
  it('clamps int8 with scalar bounds, and only one bound when the other is omitted', () => {
    const x = Tensor.fromNumbers('int8', [4], [-128, -3, 4, 127]);
    const s = (v: number) => Tensor.fromNumbers('int8', [], [v]);
    expect(values(evalOp('Clip', [x, s(-2), s(5)])[0])).toEqual([-2, -2, 4, 5]);
    expect(values(evalOp('Clip', [x, undefined, s(0)])[0])).toEqual([-128, -3, 0, 0]);
    expect(values(evalOp('Clip', [x, s(0)])[0])).toEqual([0, 0, 4, 127]);
  });

  it('gives max everywhere when min > max, and keeps NaN', () => {
    expect(values(evalOp('Clip', [f32([3], [-5, 0, 5]), f32([], [2]), f32([], [1])])[0])).toEqual([1, 1, 1]);
    expect(values(evalOp('Clip', [f32([1], [NaN]), f32([], [0]), f32([], [1])])[0])).toEqual([NaN]);
  });

  it('clamps int64 exactly', () => {
    const x = new Tensor('int64', [2], BigInt64Array.from([2n ** 62n, -(2n ** 62n)]));
    const hi = new Tensor('int64', [], BigInt64Array.from([2n ** 61n + 1n]));
    expect(values(evalOp('Clip', [x, undefined, hi])[0])).toEqual([2n ** 61n + 1n, -(2n ** 62n)]);
  });

  it('refuses bounds of another type', () => {
    const m: TestModel = {
      opset: 13,
      nodes: [{ op: 'Clip', inputs: ['x', 'lo'], outputs: ['y'] }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      initializers: { lo: Tensor.fromNumbers('float64', [], [0]) },
    };
    expect(() => loadModel(m)).toThrow(/min has type float64 but input has type float32/);
  });
});

describe('Clip before opset 11', () => {
  const old = (dtype: 'float32' | 'float64' | 'float16', attrs: TestModel['nodes'][0]['attrs']): TestModel => ({
    opset: 10,
    nodes: [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attrs }],
    inputs: [{ name: 'x', dtype, shape: [4] }],
    outputs: [{ name: 'y', dtype, shape: [4] }],
  });

  it('moves min and max attributes to constant inputs (ReLU6)', () => {
    const m = old('float32', { min: float(0), max: float(6) });
    const g = loadModel(m);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Clip']);
    expect(g.nodes[0].attrs).toEqual({});
    expect(g.nodes[0].inputs).toHaveLength(3);
    expect(values(runModel(m, { x: f32([4], [-1, 3, 7, 6.5]) }))).toEqual([0, 3, 6, 6]);
  });

  it('casts the bounds to a float64 or float16 input, folding the casts away', () => {
    const m = old('float64', { max: float(0.5) });
    const g = loadModel(m);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Clip']);
    expect(g.nodes[0].inputs[1]).toBe('');
    expect(g.initializers.get(g.nodes[0].inputs[2])?.dtype).toBe('float64');
    expect(values(runModel(m, { x: Tensor.fromNumbers('float64', [4], [-1, 0.25, 1, 0.5]) }))).toEqual([-1, 0.25, 0.5, 0.5]);
    const h = runModel(old('float16', { min: float(-1) }), { x: Tensor.fromNumbers('float16', [4], [-3, -1, 0, 2]) });
    expect(h.dtype).toBe('float16');
    expect(values(h)).toEqual([-1, -1, 0, 2]);
  });

  it('keeps a Clip without bounds as one input', () => {
    expect(loadModel(old('float32', {})).nodes[0].inputs).toEqual(['x']);
  });
});
