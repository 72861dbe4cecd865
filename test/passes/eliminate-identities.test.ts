// Identity-like nodes disappear without changing results, and graph input/output names survive.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { eliminateIdentities } from '../../src/passes/eliminate-identities.js';

const x4 = () => Tensor.fromNumbers('float32', [1, 4], [-1, 2, -3, 4]);

describe('eliminate-identities', () => {
  it('removes Identity, inference Dropout and a no-op Flatten in the middle', () => {
    const b = new GraphBuilder('chain');
    const x = b.input('x', 'float32', [1, 4]);
    const a = b.op('Relu', [x]);
    const c = b.op('Identity', [a]);
    const d = b.op('Dropout', [c]);
    const e = b.op('Flatten', [d], { axis: attr.int(1) });
    b.output(b.op('Sigmoid', [e], {}, 'out'));
    const g = b.build();
    const { graph, changed } = eliminateIdentities.run(g);
    expect(changed).toBe(true);
    expect(graph.nodes.map((n) => n.opType)).toEqual(['Relu', 'Sigmoid']);
    verifyGraph(graph);
    const before = runGraph(g, { x: x4() }).get('out_out')!;
    const after = runGraph(graph, { x: x4() }).get('out_out')!;
    expect(Array.from(after.data as Float32Array)).toEqual(Array.from(before.data as Float32Array));
  });

  it('keeps the name of a graph output by renaming the producer', () => {
    const b = new GraphBuilder('tail');
    const x = b.input('x', 'float32', [1, 4]);
    const a = b.op('Relu', [x]);
    b.output(b.op('Identity', [a], {}, 'id'));
    const { graph } = eliminateIdentities.run(b.build());
    expect(graph.nodes.map((n) => n.opType)).toEqual(['Relu']);
    expect(graph.nodes[0].outputs).toEqual(['id_out']);
    verifyGraph(graph);
  });

  it('keeps an Identity between a graph input and a graph output, and a real Reshape', () => {
    const b = new GraphBuilder('direct');
    const x = b.input('x', 'float32', [1, 4]);
    const shape = b.initializer('shape', Tensor.fromNumbers('int64', [2], [2, 2]));
    b.output(b.op('Identity', [x]));
    b.output(b.op('Reshape', [x, shape]));
    const { graph, changed } = eliminateIdentities.run(b.build());
    expect(changed).toBe(false);
    expect(graph.nodes.map((n) => n.opType)).toEqual(['Identity', 'Reshape']);
  });
});
