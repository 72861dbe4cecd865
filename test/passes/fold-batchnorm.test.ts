// Folding BatchNormalization into Conv and Gemm keeps the outputs and removes the BatchNorm nodes.
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../../src/conformance/compare.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { residualCnn } from '../../src/models/sample-models.js';
import { eliminateDeadCode } from '../../src/passes/eliminate-dead-code.js';
import { foldBatchNorm } from '../../src/passes/fold-batchnorm.js';
import { runPasses } from '../../src/passes/pass.js';
import { Random } from '../../src/util/random.js';

const rng = new Random(3);
const rand = (shape: number[], lo = -1, hi = 1) => Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(lo, hi)));

describe('fold-batchnorm', () => {
  it('folds the three BatchNorms of the residual CNN into their convolutions', () => {
    const g = residualCnn();
    const folded = runPasses(g, [foldBatchNorm, eliminateDeadCode]);
    expect(folded.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(0);
    expect(folded.nodes).toHaveLength(g.nodes.length - 3);
    for (let i = 0; i < 3; i++) {
      const x = rand([1, 1, 8, 8]);
      const diff = maxAbsDiff(runGraph(g, { input: x }).get(g.outputs[0].name)!, runGraph(folded, { input: x }).get(g.outputs[0].name)!);
      expect(diff).toBeLessThan(1e-5);
    }
  });

  it('folds into a Gemm with alpha, beta and either weight layout', () => {
    for (const transB of [0, 1]) {
      const b = new GraphBuilder('gemm_bn');
      const x = b.input('x', 'float32', [2, 5]);
      const w = b.initializer('w', rand(transB ? [3, 5] : [5, 3]));
      const c = b.initializer('c', rand([3]));
      const y = b.op('Gemm', [x, w, c], { transB: attr.int(transB), alpha: attr.float(0.5), beta: attr.float(2) });
      const bn = ['gamma', 'beta', 'mean', 'var'].map((n) => b.initializer(n, rand([3], n === 'var' ? 0.5 : -1, n === 'var' ? 2 : 1)));
      b.output(b.op('BatchNormalization', [y, ...bn], {}, 'bn'));
      const g = b.build();
      const folded = runPasses(g, [foldBatchNorm, eliminateDeadCode]);
      expect(folded.nodes.map((n) => n.opType)).toEqual(['Gemm']);
      const input = rand([2, 5]);
      const out = g.outputs[0].name;
      expect(maxAbsDiff(runGraph(g, { x: input }).get(out)!, runGraph(folded, { x: input }).get(out)!)).toBeLessThan(1e-5);
    }
  });

  it('leaves a BatchNorm whose input feeds another node too', () => {
    const b = new GraphBuilder('shared');
    const x = b.input('x', 'float32', [1, 2, 4, 4]);
    const conv = b.op('Conv', [x, b.initializer('w', rand([2, 2, 1, 1]))]);
    const bn = b.op('BatchNormalization', [conv, ...['g', 'b', 'm', 'v'].map((n) => b.initializer(n, rand([2], 0.5, 1.5)))]);
    b.output(b.op('Add', [bn, conv]));
    const { changed } = foldBatchNorm.run(b.build());
    expect(changed).toBe(false);
  });
});
