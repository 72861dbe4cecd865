// Unit tests of Softmax and LogSoftmax: per-axis numerics and the rewrite of the pre-13 flattened form.

import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { upgradeSoftmax } from '../../src/ops/util/ew-softmax.js';
import { evalOp, f32, fakeUpgradeContext, int, loadModel, runModel, values, type TestModel } from './ew-support.js';

/** Reference: softmax in float64 over consecutive groups of `group` elements. */
function softmaxGroups(x: number[], group: number, log = false): number[] {
  const out: number[] = [];
  for (let s = 0; s < x.length; s += group) {
    const row = x.slice(s, s + group);
    const max = Math.max(...row);
    const sum = row.reduce((a, v) => a + Math.exp(v - max), 0);
    out.push(...row.map((v) => (log ? v - max - Math.log(sum) : Math.exp(v - max) / sum)));
  }
  return out;
}

const data = Array.from({ length: 24 }, (_, i) => Math.sin(i) * 3);
const x = f32([2, 3, 4], data);
const expectClose = (got: Tensor, want: number[]) => {
  expect(got.size).toBe(want.length);
  (values(got) as number[]).forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
};

describe('Softmax and LogSoftmax (opset 13)', () => {
  it('normalize along the last axis by default', () => {
    expectClose(evalOp('Softmax', [x])[0], softmaxGroups(data, 4));
    expectClose(evalOp('LogSoftmax', [x])[0], softmaxGroups(data, 4, true));
  });

  it('normalize along a middle axis', () => {
    const r = values(evalOp('Softmax', [x], { axis: int(1) })[0]) as number[];
    // Elements (n, :, w) form one distribution.
    for (let n = 0; n < 2; n++) {
      for (let w = 0; w < 4; w++) {
        const col = [0, 1, 2].map((c) => data[n * 12 + c * 4 + w]);
        const want = softmaxGroups(col, 3);
        [0, 1, 2].forEach((c, i) => expect(r[n * 12 + c * 4 + w]).toBeCloseTo(want[i], 6));
      }
    }
  });

  it('stay finite for large inputs', () => {
    expect(values(evalOp('Softmax', [f32([2], [10000, 10001])])[0])).toEqual([Math.fround(1 / (1 + Math.E)), Math.fround(Math.E / (1 + Math.E))]);
    expect(values(evalOp('LogSoftmax', [f32([2], [-10000, 0])])[0])).toEqual([-10000, 0]);
  });

  it('compute float64 in double precision', () => {
    const d = evalOp('Softmax', [Tensor.fromNumbers('float64', [2], [0, 1])])[0];
    expect(d.data[1]).toBe(Math.E / (1 + Math.E));
  });

  it('refuse an axis out of range', () => {
    expect(() =>
      loadModel({
        opset: 13,
        nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attrs: { axis: int(3) } }],
        inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 4] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: [2, 3, 4] }],
      }),
    ).toThrow(/axis 3 is out of range for rank 3/);
  });
});

describe('Softmax and LogSoftmax before opset 13', () => {
  const old = (op: string, opset: number, attrs: Record<string, ReturnType<typeof int>> = {}): TestModel => ({
    opset,
    nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [2, 3, 4] }],
  });

  it('become Shape, Flatten(axis), Softmax(-1), Reshape', () => {
    const node: Node = { name: 'sm', opType: 'Softmax', domain: '', inputs: ['x'], outputs: ['y'], attrs: { axis: int(2) } };
    const nodes = upgradeSoftmax(node, 11, fakeUpgradeContext()) as Node[];
    expect(nodes.map((n) => n.opType)).toEqual(['Shape', 'Flatten', 'Softmax', 'Reshape']);
    const [shape, flatten, softmax, reshape] = nodes;
    expect(shape.inputs).toEqual(['x']);
    expect(flatten.inputs).toEqual(['x']);
    expect(flatten.attrs.axis).toEqual(int(2));
    expect(softmax.inputs).toEqual(flatten.outputs);
    expect(softmax.attrs).toEqual({ axis: int(-1) });
    expect(reshape.inputs).toEqual([softmax.outputs[0], shape.outputs[0]]);
    expect(reshape.outputs).toEqual(['y']);
  });

  it('keep a single node when the old axis is -1', () => {
    const node: Node = { name: 'sm', opType: 'LogSoftmax', domain: '', inputs: ['x'], outputs: ['y'], attrs: { axis: int(-1) } };
    expect(upgradeSoftmax(node, 11, fakeUpgradeContext())).toBeUndefined();
    expect(node.attrs).toEqual({ axis: int(-1) });
  });

  it('normalize over all dims from axis 1 by default (opset 11)', () => {
    expectClose(runModel(old('Softmax', 11), { x }), softmaxGroups(data, 12));
  });

  it('normalize over everything with axis 0 (LogSoftmax, opset 9)', () => {
    expectClose(runModel(old('LogSoftmax', 9, { axis: int(0) }), { x }), softmaxGroups(data, 24, true));
  });

  it('give all ones for a rank-1 input with the default axis 1 (each row holds one element)', () => {
    const m: TestModel = { ...old('Softmax', 11), inputs: [{ name: 'x', dtype: 'float32', shape: [3] }], outputs: [{ name: 'y', dtype: 'float32', shape: [3] }] };
    expect(values(runModel(m, { x: f32([3], [1, 2, 3]) }))).toEqual([1, 1, 1]);
  });

  it('match opset 13 when the old axis is the last one', () => {
    expectClose(runModel(old('Softmax', 12, { axis: int(2) }), { x }), softmaxGroups(data, 4));
  });
});
