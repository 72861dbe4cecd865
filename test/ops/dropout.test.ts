// Unit tests of Dropout at inference: old ratio/is_test attributes, the mask, and refused training mode.

import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { evalOp, f32, float, int, loadModel, values, type TestModel } from './ew-support.js';

const x = f32([3], [1, -2, 3]);
const bool = (v: number) => Tensor.fromNumbers('bool', [], [v]);

describe('Dropout', () => {
  it('is the identity with an all-true mask', () => {
    const [y, mask] = evalOp('Dropout', [x, f32([], [0.3])], { seed: int(7) }, 2);
    expect(values(y)).toEqual([1, -2, 3]);
    expect(mask.dtype).toBe('bool');
    expect(values(mask)).toEqual([1, 1, 1]);
  });

  it('allows training mode with ratio 0 (no randomness)', () => {
    expect(values(evalOp('Dropout', [x, f32([], [0]), bool(1)])[0])).toEqual([1, -2, 3]);
  });

  it('refuses training mode with a positive ratio, at import when constant', () => {
    expect(() => evalOp('Dropout', [x, f32([], [0.1]), bool(1)])).toThrow(/training-mode Dropout is not supported; export the model in eval mode/);
    const m: TestModel = {
      opset: 13,
      nodes: [{ op: 'Dropout', inputs: ['x', '', 't'], outputs: ['y'] }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [3] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [3] }],
      initializers: { t: bool(1) },
    };
    expect(() => loadModel(m)).toThrow(/training-mode Dropout is not supported/);
  });

  it('refuses a ratio outside [0, 1)', () => {
    expect(() => evalOp('Dropout', [x, f32([], [1])])).toThrow(/ratio is 1; it must be in \[0, 1\)/);
  });
});

describe('Dropout before opset 12', () => {
  const old = (opset: number, attrs: TestModel['nodes'][0]['attrs'], outputs = ['y']): TestModel => ({
    opset,
    nodes: [{ op: 'Dropout', inputs: ['x'], outputs, attrs }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [3] }],
    outputs: outputs.map((name) => ({ name, dtype: name === 'mask' ? (opset < 10 ? 'float32' : 'bool') : 'float32', shape: [3] })),
  });

  it('moves the ratio attribute to a constant input', () => {
    const g = loadModel(old(11, { ratio: float(0.2) }));
    // The identity Dropout stays in the graph; its ratio is now an input.
    const node = g.nodes.find((n) => n.opType === 'Dropout')!;
    expect(node.attrs).toEqual({});
    expect(g.initializers.get(node.inputs[1])?.toNumbers()).toEqual([Math.fround(0.2)]);
    expect(values(runGraph(g, { x }).get('y')!)).toEqual([1, -2, 3]);
  });

  it('gives the opset 7-9 mask in the data type', () => {
    const g = loadModel(old(7, { ratio: float(0.5) }, ['y', 'mask']));
    const mask = runGraph(g, { x }).get('mask')!;
    expect(mask.dtype).toBe('float32');
    expect(values(mask)).toEqual([1, 1, 1]);
  });

  it('gives a bool mask from opset 10', () => {
    const mask = runGraph(loadModel(old(10, {}, ['y', 'mask'])), { x }).get('mask')!;
    expect(mask.dtype).toBe('bool');
  });

  it('drops is_test=1 and refuses is_test=0', () => {
    expect(loadModel(old(7, { is_test: int(1) })).nodes.every((n) => !('is_test' in n.attrs))).toBe(true);
    expect(() => loadModel(old(7, { is_test: int(0) }))).toThrow(/training-mode Dropout is not supported/);
  });
});
