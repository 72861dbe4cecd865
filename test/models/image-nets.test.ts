// train --arch mnist-cnn and ds-cnn: layouts, MAC and parameter counts, other image sizes, structural prune groups, and a short training run.
import { describe, expect, it } from 'vitest';
import { modelStats } from '../../src/analysis/model-stats.js';
import type { Dataset } from '../../src/data/dataset.js';
import { fitToModel } from '../../src/data/fit-model.js';
import { UserError } from '../../src/errors.js';
import { staticInfo, type Graph } from '../../src/ir/graph.js';
import { nodeAttrs, runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { buildArchitecture, inputStatistics, type Architecture } from '../../src/models/architectures.js';
import { analyzePruneGroups, pruneChannels } from '../../src/prune/structure/index.js';
import { createGraphTrainer } from '../../src/train/index.js';
import { Random } from '../../src/util/random.js';

const build = (arch: Architecture, sampleShape = [1, 28, 28], classes = 10) => buildArchitecture(arch, { sampleShape, classes, seed: 1 });
const outputShape = (g: Graph) => staticInfo(g, g.outputs[0].name).shape;
const nodeNamed = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;
const attrsOf = (g: Graph, name: string) => nodeAttrs(nodeNamed(g, name)) as Record<string, unknown>;

describe('mnist-cnn', () => {
  it("is mnist-8 on 28x28x1: 786,560 MACs, 5,994 parameters, 'same' 5x5 convolutions, pools of 2 and 3", () => {
    const g = build('mnist-cnn');
    const stats = modelStats(g);
    expect(stats.totals.macs).toBe(786_560);
    expect(stats.totals.params).toBe(5_994);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm']);
    expect(attrsOf(g, 'conv1').pads).toEqual([2, 2, 2, 2]);
    expect(attrsOf(g, 'pool2').strides).toEqual([3, 3]);
    expect(outputShape(g)).toEqual([1, 10]);
  });

  it('is defined for any image of at least 6x6 (and other channel and class counts); smaller ones are refused', () => {
    const g = build('mnist-cnn', [3, 12, 18], 4);
    expect(g.inputs[0].shape).toEqual([1, 3, 12, 18]);
    // conv1 12·18·8·75 + conv2 6·9·16·200 + dense (16·2·3)·4
    expect(modelStats(g).totals.macs).toBe(12 * 18 * 8 * 75 + 6 * 9 * 16 * 200 + 96 * 4);
    expect(() => build('mnist-cnn', [1, 5, 5])).toThrow(UserError);
    expect(() => build('mnist-cnn', [1, 5, 5])).toThrow(/mnist-cnn needs images of at least 6x6/);
  });
});

describe('ds-cnn', () => {
  it('on 28x28x1: a strided 3x3 conv, three depthwise-separable blocks, global average pooling; 972,800 MACs, 13,002 parameters', () => {
    const g = build('ds-cnn');
    const stats = modelStats(g);
    expect(stats.totals.macs).toBe(972_800);
    expect(stats.totals.params).toBe(13_002);
    expect(stats.totals.macs).toBeGreaterThan(modelStats(build('mnist-cnn')).totals.macs);
    expect(attrsOf(g, 'dw2').group).toBe(64);
    expect(g.initializers.get('dw2.weight')!.shape).toEqual([64, 1, 3, 3]);
    expect(g.nodes.some((n) => n.opType === 'GlobalAveragePool')).toBe(true);
    expect(outputShape(g)).toEqual([1, 10]);
    expect(staticInfo(g, nodeNamed(g, 'conv1').outputs[0]).shape).toEqual([1, 32, 14, 14]);
  });

  it('takes other image sizes', () => {
    expect(outputShape(build('ds-cnn', [1, 8, 8], 3))).toEqual([1, 3]);
    expect(outputShape(build('ds-cnn', [2, 5, 9], 3))).toEqual([1, 3]);
  });

  it('structural pruning sees one group per block (the depthwise conv carried with its pointwise producer) and removes channels', () => {
    const g = build('ds-cnn');
    const analysis = analyzePruneGroups(g);
    expect(analysis.groups.map((x) => `${x.id}:${x.size}`)).toEqual(['conv1:32', 'pw1:64', 'pw2:64', 'pw3:64']);
    expect(analysis.groups[0].nodes).toContain('dw1');
    const pruned = pruneChannels(g, { conv1: [0, 1, 2, 3], pw2: [5] }, analysis);
    expect(pruned.initializers.get('dw1.weight')!.shape).toEqual([28, 1, 3, 3]);
    expect(attrsOf(pruned, 'dw1').group).toBe(28);
    expect(modelStats(pruned).totals.macs).toBeLessThan(972_800);
  });
});

/** `count` 28x28 images of `classes` classes: class c lights rows 7c..7c+6, with seeded noise; raw values 0..255. */
function tinyImages(count: number, classes: number, seed: number): Dataset {
  const rng = new Random(seed);
  const features = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % classes;
    for (let p = 0; p < 784; p++) features[i * 784 + p] = (Math.floor(p / 28 / 7) === labels[i] ? 180 : 0) + Math.floor(rng.next() * 60);
  }
  return { features, labels, count, featureShape: [1, 28, 28], classes, source: 'synthetic' };
}

describe('a short training run on 28x28 images', () => {
  for (const arch of ['mnist-cnn', 'ds-cnn'] as Architecture[]) {
    it(`${arch}: one epoch through the TF.js bridge changes the weights, and the trained model agrees with the interpreter`, async () => {
      const data = tinyImages(24, 4, 5);
      const normalize = inputStatistics(arch, data.features, data.count, data.featureShape);
      const g0 = buildArchitecture(arch, { sampleShape: data.featureShape, classes: 4, normalize, seed: 2 });
      const train = fitToModel(data, g0);
      const trainer = createGraphTrainer(train, { seed: 2, learningRate: 3e-3, batchSize: 8 });
      try {
        expect(trainer.canTrain(g0)).toEqual({ ok: true });
        const g = await trainer.fineTune(g0, undefined, 1);
        const w0 = g0.initializers.get('conv1.weight')!.toNumbers();
        const w1 = g.initializers.get('conv1.weight')!.toNumbers();
        expect(w1.some((v, i) => v !== w0[i])).toBe(true);
        for (let i = 0; i < 4; i++) {
          const one = { ...train, features: train.features.slice(i * 784, (i + 1) * 784), labels: train.labels.slice(i, i + 1), count: 1 };
          const out = runGraph(g, { input: new Tensor('float32', [1, 1, 28, 28], one.features) }).get(g.outputs[0].name)!.toNumbers();
          const predicted = out.indexOf(Math.max(...out));
          expect(await trainer.score(g, one)).toBe(predicted === one.labels[0] ? 1 : 0);
        }
      } finally {
        trainer.dispose();
      }
    });
  }
});
