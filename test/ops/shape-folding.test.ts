// PyTorch-style shape arithmetic (Shape → Gather → Unsqueeze → Concat → Reshape) folds to a constant shape on import.
import { describe, expect, it } from 'vitest';
import { emptyGraph, type Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { prepareImportedGraph } from '../../src/onnx/load-onnx.js';
import { attr, elements, i64, iota } from './tensor-harness.js';

/** x: 2x3x4 → y = x.view(x.shape[0], -1), the way torch.onnx exports it. */
function flattenByShapeArithmetic(): Graph {
  const g = emptyGraph('shape-arithmetic');
  g.inputs.push({ name: 'x', dtype: 'float32', shape: [2, 3, 4] });
  g.initializers.set('zero', i64([0], []));
  g.initializers.set('axes0', i64([0]));
  g.initializers.set('minus_one', i64([-1]));
  const node = (opType: string, inputs: string[], output: string, attrs = {}) =>
    g.nodes.push({ name: `${opType}_${output}`, opType, domain: '', inputs, outputs: [output], attrs });
  node('Shape', ['x'], 'shape');
  node('Gather', ['shape', 'zero'], 'batch', { axis: attr.int(0) });
  node('Unsqueeze', ['batch', 'axes0'], 'batch_1d');
  node('Concat', ['batch_1d', 'minus_one'], 'target', { axis: attr.int(0) });
  node('Reshape', ['x', 'target'], 'y');
  g.outputs.push({ name: 'y', dtype: 'float32', shape: [2, 12] });
  return g;
}

describe('constant folding of shape arithmetic', () => {
  it('leaves only the Reshape, with its shape as an initializer', () => {
    const g = prepareImportedGraph(flattenByShapeArithmetic());
    verifyGraph(g);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Reshape']);
    const shapeName = g.nodes[0].inputs[1];
    const shape = g.initializers.get(shapeName);
    expect(shape).toBeDefined();
    expect(elements(shape!)).toEqual([2n, -1n]);
    expect(g.values.get('y')?.shape).toEqual([2, 12]);
  });

  it('still computes the same result', () => {
    const g = prepareImportedGraph(flattenByShapeArithmetic());
    const x = iota([2, 3, 4]);
    const y = runGraph(g, { x }).get('y')!;
    expect(y.shape).toEqual([2, 12]);
    expect(elements(y)).toEqual(elements(x));
  });
});
