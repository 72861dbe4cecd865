// Pad: each mode, cropping by negative pads, selected axes, exact int64, and the opset < 11 attribute forms.
import { describe, expect, it } from 'vitest';
import { emptyGraph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { prepareImportedGraph } from '../../src/onnx/load-onnx.js';
import { attr, elements, f32, i64, iota, makeNode, runOp, upgradeNode } from './tensor-harness.js';

const mode = (m: string) => ({ mode: attr.string(m) });

describe('Pad', () => {
  const x = f32([1, 2, 3]);

  it('pads with a constant value (default 0)', () => {
    expect(elements(runOp('Pad', [x, i64([1, 2])])[0])).toEqual([0, 1, 2, 3, 0, 0]);
    expect(elements(runOp('Pad', [x, i64([1, 0]), f32([9], [])])[0])).toEqual([9, 1, 2, 3]);
  });

  it('pads in edge, reflect and wrap modes', () => {
    expect(elements(runOp('Pad', [x, i64([2, 1])], mode('edge'))[0])).toEqual([1, 1, 1, 2, 3, 3]);
    expect(elements(runOp('Pad', [x, i64([2, 2])], mode('reflect'))[0])).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(elements(runOp('Pad', [x, i64([4, 2])], mode('wrap'))[0])).toEqual([3, 1, 2, 3, 1, 2, 3, 1, 2]);
  });

  it('crops with negative pads, then pads the cropped axis', () => {
    const five = f32([1, 2, 3, 4, 5]);
    expect(elements(runOp('Pad', [five, i64([-1, -2])])[0])).toEqual([2, 3]);
    expect(elements(runOp('Pad', [five, i64([-2, 1])], mode('reflect'))[0])).toEqual([3, 4, 5, 4]);
    expect(elements(runOp('Pad', [five, i64([-6, 3]), f32([7], [])])[0])).toEqual([7, 7]);
  });

  it('pads only the listed axes (negative allowed)', () => {
    const [y] = runOp('Pad', [iota([2, 2]), i64([1, 0]), undefined, i64([-1])]);
    expect(y.shape).toEqual([2, 3]);
    expect(elements(y)).toEqual([0, 0, 1, 0, 2, 3]);
  });

  it('pads int64 data exactly, with an int64 constant', () => {
    const big = 2n ** 62n + 1n;
    expect(elements(runOp('Pad', [i64([big]), i64([1, 1]), i64([-big], [])])[0])).toEqual([-big, big, -big]);
    expect(elements(runOp('Pad', [i64([big]), i64([1, 0])])[0])).toEqual([0n, big]);
  });

  it('rejects reflect pads beyond the axis, a mistyped constant and a wrong pads length', () => {
    expect(() => runOp('Pad', [x, i64([3, 0])], mode('reflect'))).toThrow(/at most its size minus 1/);
    expect(() => runOp('Pad', [x, i64([1, 1]), i64([0], [])])).toThrow(/constant_value has type int64/);
    expect(() => runOp('Pad', [x, i64([1])])).toThrow(/pads has 1 values/);
    expect(() => runOp('Pad', [new Tensor('float32', [0]), i64([1, 1])], mode('edge'))).toThrow(/needs input elements/);
  });

  it('moves opset-2 pads to an input; a zero value needs no constant', () => {
    const node = makeNode('Pad', ['x'], { pads: attr.ints([0, 1, 0, 1]), value: attr.float(0), mode: attr.string('constant') });
    const { nodes, constants } = upgradeNode(node, 2);
    expect(nodes).toEqual([node]);
    expect(node.inputs).toHaveLength(2);
    expect(elements(constants.get(node.inputs[1])!)).toEqual([0n, 1n, 0n, 1n]);
    expect(node.attrs).toEqual({ mode: attr.string('constant') });
  });

  it('reads opset-1 paddings, and casts a non-zero value to the data type with CastLike', () => {
    const node = makeNode('Pad', ['x'], { paddings: attr.ints([1, 1]), value: attr.float(2.5) });
    const { nodes, constants } = upgradeNode(node, 1);
    expect(elements(constants.get(node.inputs[1])!)).toEqual([1n, 1n]);
    expect(nodes).toHaveLength(2);
    const [cast, pad] = nodes;
    expect(pad).toBe(node);
    expect(cast.opType).toBe('CastLike');
    expect(cast.inputs[1]).toBe('x');
    expect(elements(constants.get(cast.inputs[0])!)).toEqual([2.5]);
    expect(node.inputs[2]).toBe(cast.outputs[0]);
    expect(node.attrs).toEqual({});
  });

  it('imports an opset-2 float64 Pad with a fill value: the CastLike folds into a float64 constant', () => {
    const node = makeNode('Pad', ['x'], { pads: attr.ints([1, 0]), value: attr.float(2.5) }, ['y']);
    const { nodes, constants } = upgradeNode(node, 2);
    const g = emptyGraph('old-pad');
    g.inputs.push({ name: 'x', dtype: 'float64', shape: [2] });
    g.outputs.push({ name: 'y', dtype: 'float64', shape: [3] });
    g.nodes.push(...nodes);
    for (const [name, t] of constants) g.initializers.set(name, t);
    const folded = prepareImportedGraph(g);
    expect(folded.nodes.map((n) => n.opType)).toEqual(['Pad']);
    expect(folded.initializers.get(folded.nodes[0].inputs[2])?.dtype).toBe('float64');
    const y = runGraph(folded, { x: Tensor.fromNumbers('float64', [2], [1, 2]) }).get('y')!;
    expect(elements(y)).toEqual([2.5, 1, 2]);
  });
});
