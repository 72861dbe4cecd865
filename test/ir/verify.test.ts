// The verifier catches what a broken pass would produce: order, double definitions, wrong types, bad arity.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { cloneGraph, type Graph } from '../../src/ir/graph.js';
import { verifyProblems } from '../../src/ir/verify.js';
import { runPasses, type Pass } from '../../src/passes/pass.js';

function chain(): Graph {
  const b = new GraphBuilder('chain');
  const x = b.input('x', 'float32', [1, 4]);
  const a = b.op('Relu', [x], {}, 'relu');
  b.output(b.op('Sigmoid', [a], {}, 'sigmoid'));
  return b.build();
}

describe('verifier', () => {
  it('accepts a well-formed graph', () => {
    expect(verifyProblems(chain())).toEqual([]);
  });

  it('reports a node that reads a value before it is defined', () => {
    const g = cloneGraph(chain());
    g.nodes.reverse();
    expect(verifyProblems(g).join('\n')).toMatch(/reads 'relu_out' before it is defined/);
  });

  it('reports a value defined twice', () => {
    const g = cloneGraph(chain());
    g.nodes[1].outputs = ['relu_out'];
    expect(verifyProblems(g).join('\n')).toMatch(/'relu_out' is defined more than once/);
  });

  it('reports a recorded shape that disagrees with inference', () => {
    const g = cloneGraph(chain());
    g.values.set('relu_out', { name: 'relu_out', dtype: 'float32', shape: [1, 5] });
    expect(verifyProblems(g).join('\n')).toMatch(/recorded as float32 1x5 but infers float32 1x4/);
  });

  it('reports wrong arity and unknown ops', () => {
    const g = cloneGraph(chain());
    g.nodes[0].inputs = ['x', 'x'];
    g.nodes.push({ name: 'mystery', opType: 'Mystery', domain: '', inputs: ['x'], outputs: ['m'], attrs: {} });
    const text = verifyProblems(g).join('\n');
    expect(text).toMatch(/'relu' \(Relu\): has 2 inputs, the op takes 1\.\.1/);
    expect(text).toMatch(/'mystery' \(Mystery\): unknown op/);
  });

  it('reports a graph output that is never defined, and duplicate node names', () => {
    const g = cloneGraph(chain());
    g.outputs.push({ name: 'ghost', dtype: 'float32', shape: [1] });
    g.nodes[1].name = 'relu';
    const text = verifyProblems(g).join('\n');
    expect(text).toMatch(/graph output 'ghost' is never defined/);
    expect(text).toMatch(/node name 'relu' is used twice/);
  });

  it('runPasses names the pass that broke the graph', () => {
    const breaker: Pass = {
      name: 'break-things',
      run: (g) => {
        const h = cloneGraph(g);
        h.nodes.reverse();
        return { graph: h, changed: true };
      },
    };
    expect(() => runPasses(chain(), [breaker])).toThrow(/pass break-things produced an invalid graph/);
  });
});
