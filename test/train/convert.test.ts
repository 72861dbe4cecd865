// IR → TF.js layers: predictions equal the reference interpreter's; untrainable ops are listed; toGraph verifies.
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { verifyProblems } from '../../src/ir/verify.js';
import { digitsMlp, mnistLikeCnn, residualCnn } from '../../src/models/sample-models.js';
import { Tensor } from '../../src/ir/tensor.js';
import { UserError } from '../../src/errors.js';
import { buildTrainable, dispose, initTraining, predict, toGraph, untrainableNodes } from '../../src/train/index.js';
import { concatResidualCnn, depthwiseCnn, digitsCnn, interpret, maxAbsDiff, nhwcMatMulModel, randomInputs } from './helpers.js';

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

async function compare(g: Graph, count = 6): Promise<number> {
  expect(untrainableNodes(g)).toEqual([]);
  const t = await buildTrainable(g);
  const x = randomInputs(g, count);
  const got = await predict(t, x);
  expect(got.shape).toEqual([count, ...(g.outputs[0].shape as number[]).slice(1)]);
  const diff = maxAbsDiff(got.data as Float32Array, interpret(g, x));
  dispose(t);
  return diff;
}

describe('IR → TF.js predictions equal the interpreter', () => {
  const models: [string, () => Graph][] = [
    ['digits MLP', () => digitsMlp()],
    ['MNIST-like CNN', () => mnistLikeCnn()],
    ['residual CNN with BatchNorm', () => residualCnn()],
    ['CNN with BN, residual Add and Concat', () => concatResidualCnn()],
    ['depthwise CNN (ReLU6, asymmetric pads, padded average pool)', () => depthwiseCnn()],
    ['NHWC input, Transposes, MatMul + Add', () => nhwcMatMulModel()],
    ['digits CNN', () => digitsCnn()],
  ];
  for (const [name, make] of models) {
    it(name, async () => {
      expect(await compare(make())).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('untrainable nodes', () => {
  function mixed(): Graph {
    const b = new GraphBuilder('mixed');
    const w = (name: string, shape: number[]) => b.initializer(name, Tensor.fromNumbers('float32', shape, Array.from({ length: shape.reduce((a, c) => a * c, 1) }, (_, i) => Math.sin(i))));
    let x = b.input('input', 'float32', [1, 4, 8, 8]);
    x = b.op('Conv', [x, w('d.weight', [4, 4, 3, 3])], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([2, 2, 2, 2]), dilations: attr.ints([2, 2]) }, 'conv_dilated');
    x = b.op('Conv', [x, w('g.weight', [4, 2, 3, 3])], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), group: attr.int(2) }, 'conv_grouped');
    x = b.op('Mul', [x, w('scale', [1])], {}, 'scale');
    x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]) }, 'maxpool_padded');
    x = b.op('Relu', [x], {}, 'relu');
    x = b.op('Flatten', [x], {}, 'flatten');
    x = b.op('Gemm', [x, w('fc.weight', [3, 64])], { transB: attr.int(1) }, 'fc');
    b.output(b.op('LogSoftmax', [x], { axis: attr.int(-1) }, 'log_probs'));
    return b.build();
  }

  it('lists every node that cannot train, with its op and reason', () => {
    expect(untrainableNodes(mixed())).toEqual([
      { node: 'conv_dilated', op: 'Conv', reason: 'dilations 2x2: TF.js has no gradients for dilated convolutions' },
      { node: 'conv_grouped', op: 'Conv', reason: 'group 2: only group 1 and depthwise (group = input channels) convolutions train' },
      { node: 'scale', op: 'Mul', reason: 'no TF.js layer for Mul' },
      { node: 'maxpool_padded', op: 'MaxPool', reason: 'its padding (pads 1,1,0,0) cannot be expressed in TF.js' },
      { node: 'log_probs', op: 'LogSoftmax', reason: 'no TF.js layer for LogSoftmax' },
    ]);
  });

  it('buildTrainable refuses with one UserError naming them all', async () => {
    const err = await buildTrainable(mixed()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const message = (err as UserError).message;
    expect(message).toMatch(/^the training bridge cannot train: node 'conv_dilated' \(Conv\): dilations 2x2/);
    for (const n of ["'conv_grouped' (Conv)", "'scale' (Mul)", "'maxpool_padded' (MaxPool)", "'log_probs' (LogSoftmax)"]) expect(message).toContain(n);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses shared weights and graphs with several inputs', () => {
    const b = new GraphBuilder('shared');
    const x = b.input('a', 'float32', [1, 4]);
    const y = b.input('b', 'float32', [1, 4]);
    const w = b.initializer('w', Tensor.fromNumbers('float32', [4, 4], new Array(16).fill(0.1)));
    b.output(b.op('Add', [b.op('MatMul', [x, w], {}, 'm1'), b.op('MatMul', [y, w], {}, 'm2')], {}, 'sum'));
    const problems = untrainableNodes(b.build());
    expect(problems[0]).toEqual({ node: '(graph)', op: 'Graph', reason: 'has 2 inputs; the bridge trains models with exactly one input' });
    expect(problems.map((p) => p.node)).toContain('m1');
    expect(problems.find((p) => p.node === 'm1')!.reason).toMatch(/input B 'w' is shared with node\(s\) 'm2'/);
  });
});

describe('weights back into the IR', () => {
  it('toGraph of an untrained model gives the same initializers, bit for bit, and a verified graph', async () => {
    for (const g of [concatResidualCnn(), depthwiseCnn(), nhwcMatMulModel()]) {
      const t = await buildTrainable(g);
      const back = toGraph(t);
      expect(verifyProblems(back)).toEqual([]);
      expect(back.nodes.map((n) => n.name)).toEqual(g.nodes.map((n) => n.name));
      for (const [name, v] of g.initializers) {
        expect(back.initializers.get(name)!.shape, name).toEqual(v.shape);
        expect(Array.from(back.initializers.get(name)!.data as Float32Array), name).toEqual(Array.from(v.data as Float32Array));
      }
      dispose(t);
    }
  });
});
