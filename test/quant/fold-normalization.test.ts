// Folding a normalization forward into the layer after it: the same outputs, and the cases left alone.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { runPasses } from '../../src/passes/pass.js';
import { foldNormalizationForward } from '../../src/quant/fold-normalization-forward.js';
import { feeds, ModelBuilder, run } from './quant-models.js';

const fold = (g: Graph) => runPasses(g, [foldNormalizationForward]);
const ops = (g: Graph) => g.nodes.map((n) => n.opType);

function expectSameOutputs(a: Graph, b: Graph): void {
  for (const f of feeds(a, 5, 11, -3, 3)) {
    const x = run(a, f);
    const y = run(b, f);
    x.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 4));
  }
}

describe('foldNormalizationForward', () => {
  it('folds into a Gemm with alpha, beta, a bias and transB = 0', () => {
    const m = new ModelBuilder('gemm');
    const x = m.b.input('x', 'float32', [1, 3]);
    const n = m.batchNorm(x, 3, 'norm');
    m.b.output(m.b.op('Gemm', [n, m.weight([3, 2]), m.weight([2])], { alpha: attr.float(1.5), beta: attr.float(0.5) }, 'fc'));
    const g = m.b.build();
    const folded = fold(g);
    expect(ops(folded)).toEqual(['Gemm']);
    expectSameOutputs(g, folded);
  });
  it('turns a MatMul into a Gemm holding the shifted bias', () => {
    const m = new ModelBuilder('matmul');
    const x = m.b.input('x', 'float32', [1, 3]);
    m.b.output(m.b.op('MatMul', [m.batchNorm(x, 3, 'norm'), m.weight([3, 4])], {}, 'mm'));
    const g = m.b.build();
    const folded = fold(g);
    expect(ops(folded)).toEqual(['Gemm']);
    expectSameOutputs(g, folded);
  });
  it('folds into an unpadded Conv, and leaves a padded one', () => {
    const build = (pad: number) => {
      const m = new ModelBuilder('conv');
      const x = m.b.input('x', 'float32', [1, 2, 5, 5]);
      m.b.output(m.conv(m.batchNorm(x, 2, 'norm'), 2, 3, 'conv', pad));
      return m.b.build();
    };
    const g = build(0);
    const folded = fold(g);
    expect(ops(folded)).toEqual(['Conv']);
    expectSameOutputs(g, folded);
    expect(ops(fold(build(1)))).toEqual(['BatchNormalization', 'Conv']);
  });
  it('leaves a normalization read by two layers', () => {
    const m = new ModelBuilder('two');
    const x = m.b.input('x', 'float32', [1, 3]);
    const n = m.batchNorm(x, 3, 'norm');
    m.b.output(m.b.op('Add', [m.dense(n, 3, 2, 'a'), m.dense(n, 3, 2, 'b')], {}, 'sum'));
    expect(ops(fold(m.b.build()))).toEqual(['BatchNormalization', 'Gemm', 'Gemm', 'Add']);
  });
  it('leaves a Gemm whose bias varies along the batch', () => {
    const b = new GraphBuilder('batch_bias');
    const x = b.input('x', 'float32', [2, 2]);
    const t = (name: string, v: number[]) => b.initializer(name, Tensor.fromNumbers('float32', [2], v));
    const n = b.op('BatchNormalization', [x, t('s', [1, 2]), t('b', [0, 1]), t('m', [0, 0]), t('v', [1, 1])], {}, 'norm');
    b.output(b.op('Gemm', [n, b.initializer('W', Tensor.fromNumbers('float32', [2, 2], [1, 2, 3, 4])), b.initializer('C', Tensor.fromNumbers('float32', [2, 2], [1, 2, 3, 4]))], {}, 'fc'));
    expect(ops(fold(b.build()))).toEqual(['BatchNormalization', 'Gemm']);
  });
});
