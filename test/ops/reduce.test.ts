// Unit tests of ReduceSum/Mean/Max/Min: axes as input or old attribute, keepdims, empty axes, integer types.

import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { evalOp, f32, int, ints, loadModel, runModel, values, type TestModel } from './ew-support.js';

const axes = (...a: number[]) => Tensor.fromNumbers('int64', [a.length], a);
const x23 = f32([2, 3], [1, 2, 3, 4, 5, 6]);

describe('reductions', () => {
  it('reduce the given axes, keeping them as 1 by default', () => {
    const r = evalOp('ReduceSum', [x23, axes(1)])[0];
    expect(r.shape).toEqual([2, 1]);
    expect(values(r)).toEqual([6, 15]);
    const dropped = evalOp('ReduceMean', [x23, axes(-2)], { keepdims: int(0) })[0];
    expect(dropped.shape).toEqual([3]);
    expect(values(dropped)).toEqual([2.5, 3.5, 4.5]);
  });

  it('reduce everything without axes, and nothing with noop_with_empty_axes', () => {
    const all = evalOp('ReduceMax', [x23])[0];
    expect(all.shape).toEqual([1, 1]);
    expect(values(all)).toEqual([6]);
    const none = evalOp('ReduceMin', [x23, axes()], { noop_with_empty_axes: int(1) })[0];
    expect(none.shape).toEqual([2, 3]);
    expect(values(none)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(values(evalOp('ReduceMin', [x23, axes()], { keepdims: int(0) })[0])).toEqual([1]);
  });

  it('reduce non-adjacent axes of a 3-D tensor', () => {
    const x = f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const r = evalOp('ReduceSum', [x, axes(0, 2)], { keepdims: int(0) })[0];
    expect(values(r)).toEqual([1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
  });

  it('sum int32 modulo 2^32 and int64 exactly', () => {
    const i32 = Tensor.fromNumbers('int32', [2], [2 ** 31 - 1, 1]);
    expect(values(evalOp('ReduceSum', [i32])[0])).toEqual([-(2 ** 31)]);
    const i64 = new Tensor('int64', [2], BigInt64Array.from([2n ** 60n, 1n]));
    expect(values(evalOp('ReduceSum', [i64])[0])).toEqual([2n ** 60n + 1n]);
  });

  it('truncate integer means toward zero', () => {
    expect(values(evalOp('ReduceMean', [Tensor.fromNumbers('int32', [2], [-3, -4])])[0])).toEqual([-3]);
    expect(values(evalOp('ReduceMean', [new Tensor('int64', [2], BigInt64Array.from([7n, 8n]))])[0])).toEqual([7n]);
  });

  it('propagate NaN through ReduceMax and work on bools', () => {
    expect(values(evalOp('ReduceMax', [f32([3], [1, NaN, 2])])[0])).toEqual([NaN]);
    expect(values(evalOp('ReduceMin', [Tensor.fromNumbers('bool', [2], [1, 0])])[0])).toEqual([0]);
  });

  it('give the identity of the reduction over an empty axis', () => {
    const empty = f32([2, 0], []);
    expect(values(evalOp('ReduceMax', [empty, axes(1)])[0])).toEqual([-Infinity, -Infinity]);
    expect(values(evalOp('ReduceSum', [empty, axes(1)])[0])).toEqual([0, 0]);
    expect(values(evalOp('ReduceMin', [Tensor.fromNumbers('int8', [0], []), axes(0)])[0])).toEqual([127]);
  });

  it('refuse repeated or out-of-range axes', () => {
    expect(() => evalOp('ReduceSum', [x23, axes(1, -1)])).toThrow(/repeat an axis/);
    expect(() => evalOp('ReduceSum', [x23, axes(2)])).toThrow(/axes 2 is out of range for rank 2/);
  });
});

describe('reduction axes across opsets', () => {
  const model = (op: string, opset: number, attrs: TestModel['nodes'][0]['attrs'], inputs = ['x'], shape = [2]): TestModel => ({
    opset,
    nodes: [{ op, inputs, outputs: ['y'], attrs }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape }],
  });
  const feeds = { x: x23 };

  it('move the old axes attribute to a constant input (ReduceSum before 13, others before 18)', () => {
    expect(values(runModel(model('ReduceSum', 11, { axes: ints([1]), keepdims: int(0) }), feeds))).toEqual([6, 15]);
    expect(values(runModel(model('ReduceMean', 17, { axes: ints([1]), keepdims: int(0) }), feeds))).toEqual([2, 5]);
    const g = loadModel(model('ReduceMax', 13, { axes: ints([-1]), keepdims: int(0) }));
    expect(g.nodes[0].inputs).toHaveLength(2);
    expect('axes' in g.nodes[0].attrs).toBe(false);
    expect(g.initializers.get(g.nodes[0].inputs[1])?.toNumbers()).toEqual([-1]);
  });

  it('keep an old node without axes reducing everything', () => {
    expect(values(runModel(model('ReduceMin', 13, { keepdims: int(0) }, ['x'], []), feeds))).toEqual([1]);
  });

  it('refuse the axes attribute where it is an input', () => {
    expect(() => loadModel(model('ReduceSum', 13, { axes: ints([1]), keepdims: int(0) }))).toThrow(/unsupported attribute 'axes'/);
  });

  it('require constant axes', () => {
    const m: TestModel = {
      opset: 18,
      nodes: [{ op: 'ReduceSum', inputs: ['x', 'a'], outputs: ['y'] }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }, { name: 'a', dtype: 'int64', shape: [1] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2, 1] }],
    };
    expect(() => loadModel(m)).toThrow(/axes must be a constant/);
  });
});
