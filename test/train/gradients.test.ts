// Weight gradients for Taylor criteria: IR shapes and layouts, checked against finite differences of the interpreter in float64.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import type { DType } from '../../src/ir/dtype.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { Random } from '../../src/util/random.js';
import { buildTrainable, dispose, initTraining, weightGradients } from '../../src/train/index.js';

/** A tiny model (strided conv, BatchNorm, Tanh, depthwise conv, Gemm) whose weights are `weights` in `dtype`. */
function tinyModel(dtype: DType, weights: Map<string, Float64Array>): Graph {
  const b = new GraphBuilder('tiny');
  const t = (name: string, shape: number[]) => b.initializer(name, Tensor.fromNumbers(dtype, shape, weights.get(name)!));
  let x = b.input('input', dtype, [1, 2, 5, 5]);
  x = b.op('Conv', [x, t('c1.weight', [3, 2, 3, 3]), t('c1.bias', [3])], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), strides: attr.ints([2, 2]) }, 'c1');
  x = b.op('BatchNormalization', [x, t('bn.scale', [3]), t('bn.bias', [3]), t('bn.mean', [3]), t('bn.var', [3])], { epsilon: attr.float(1e-5) }, 'bn');
  x = b.op('Tanh', [x], {}, 'tanh');
  x = b.op('Conv', [x, t('dw.weight', [3, 1, 3, 3]), t('dw.bias', [3])], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), group: attr.int(3) }, 'dw');
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  b.output(b.op('Gemm', [x, t('fc.weight', [4, 27]), t('fc.bias', [4])], { transB: attr.int(1) }, 'fc'));
  return b.build();
}

const SHAPES: Record<string, number[]> = {
  'c1.weight': [3, 2, 3, 3],
  'c1.bias': [3],
  'bn.scale': [3],
  'bn.bias': [3],
  'bn.mean': [3],
  'bn.var': [3],
  'dw.weight': [3, 1, 3, 3],
  'dw.bias': [3],
  'fc.weight': [4, 27],
  'fc.bias': [4],
};

const rng = new Random(21);
const WEIGHTS = new Map(
  Object.entries(SHAPES).map(([k, s]) => [k, Float64Array.from({ length: shapeSize(s) }, () => (k === 'bn.var' ? rng.uniform(0.5, 1.5) : k === 'bn.scale' ? rng.uniform(0.5, 1.5) : rng.uniform(-0.6, 0.6)))]),
);
const COUNT = 6;
const DATA: Dataset = {
  features: Float32Array.from({ length: COUNT * 50 }, () => rng.uniform(-1, 1)),
  labels: Int32Array.from({ length: COUNT }, (_, i) => i % 4),
  count: COUNT,
  featureShape: [2, 5, 5],
  classes: 4,
  source: 'synthetic',
};

/** Σ_i softmax cross-entropy of sample i, computed by the interpreter in float64. */
function summedLoss(weights: Map<string, Float64Array>): number {
  const g = tinyModel('float64', weights);
  let total = 0;
  for (let i = 0; i < COUNT; i++) {
    const x = Tensor.fromNumbers('float64', [1, 2, 5, 5], DATA.features.subarray(i * 50, (i + 1) * 50));
    const y = Array.from(runGraph(g, { input: x }).get(g.outputs[0].name)!.data as Float64Array);
    const max = Math.max(...y);
    const logSum = Math.log(y.reduce((a, v) => a + Math.exp(v - max), 0)) + max;
    total += logSum - y[DATA.labels[i]];
  }
  return total;
}

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

describe('weightGradients', () => {
  it('gives every trained parameter in its IR shape, matching finite differences', async () => {
    const t = await buildTrainable(tinyModel('float32', WEIGHTS));
    const grads = await weightGradients(t, DATA, { batchSize: 4 });
    expect([...grads.keys()].sort()).toEqual(['bn.bias', 'bn.scale', 'c1.bias', 'c1.weight', 'dw.bias', 'dw.weight', 'fc.bias', 'fc.weight']);
    for (const [name, g] of grads) expect(g.shape).toEqual(SHAPES[name]);
    const pick = new Random(3);
    const eps = 1e-4;
    for (const [name, g] of grads) {
      for (let trial = 0; trial < 4; trial++) {
        const i = pick.int(g.size);
        const plus = new Map(WEIGHTS);
        const minus = new Map(WEIGHTS);
        plus.set(name, WEIGHTS.get(name)!.slice());
        minus.set(name, WEIGHTS.get(name)!.slice());
        plus.get(name)![i] += eps;
        minus.get(name)![i] -= eps;
        const fd = (summedLoss(plus) - summedLoss(minus)) / (2 * eps);
        expect(Math.abs(g.at(i) - fd), `${name}[${i}]: bridge ${g.at(i)}, finite difference ${fd}`).toBeLessThan(2e-4 + 1e-3 * Math.abs(fd));
      }
    }
    dispose(t);
  });

  it("mode 'abs' with batch size 1 sums per-sample magnitudes; 'sum' does not depend on the batch size", async () => {
    const t = await buildTrainable(tinyModel('float32', WEIGHTS));
    const sum1 = await weightGradients(t, DATA, { batchSize: 1 });
    const sum6 = await weightGradients(t, DATA, { batchSize: 6 });
    const abs1 = await weightGradients(t, DATA, { batchSize: 1, mode: 'abs' });
    const first = await weightGradients(t, DATA, { samples: 1, mode: 'abs' });
    const w = 'dw.weight';
    for (let i = 0; i < sum1.get(w)!.size; i++) {
      expect(sum1.get(w)!.at(i)).toBeCloseTo(sum6.get(w)!.at(i), 4);
      expect(abs1.get(w)!.at(i)).toBeGreaterThanOrEqual(Math.abs(sum1.get(w)!.at(i)) - 1e-5);
      expect(first.get(w)!.at(i)).toBeGreaterThanOrEqual(0);
    }
    dispose(t);
  });
});
