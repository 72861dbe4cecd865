// Architectures with an input BatchNormalization (standardizing raw data inside the model) train and agree with the interpreter.
import { describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { fitToModel } from '../../src/data/fit-model.js';
import { splitDataset } from '../../src/data/split.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { buildArchitecture, inputStatistics, type Architecture } from '../../src/models/architectures.js';
import { createGraphTrainer } from '../../src/train/index.js';

describe('input normalization', () => {
  const split = splitDataset(readCsvDataset('examples/digits/digits.csv.gz'), { validation: 0.2, test: 0.2 }, 3);

  it('computes per-channel statistics (one channel for the CNN, one per feature for the MLP)', () => {
    const cnn = inputStatistics('cnn', split.train.features, split.train.count, [64]);
    expect(cnn.mean).toHaveLength(1);
    expect(cnn.mean[0]).toBeGreaterThan(3);
    expect(cnn.mean[0]).toBeLessThan(6);
    const mlp = inputStatistics('mlp', split.train.features, split.train.count, [64]);
    expect(mlp.mean).toHaveLength(64);
    // Corner pixels of the digits are always 0: their variance falls back to 1.
    expect(mlp.variance[0]).toBe(1);
  });

  for (const arch of ['cnn', 'mlp'] as Architecture[]) {
    it(`${arch}: trains through the bridge and matches the interpreter afterwards`, async () => {
      const normalize = inputStatistics(arch, split.train.features, split.train.count, split.train.featureShape);
      const g0 = buildArchitecture(arch, { sampleShape: [64], classes: 10, normalize, seed: 1 });
      expect(g0.nodes[0].opType).toBe('BatchNormalization');
      const train = fitToModel(split.train, g0);
      const trainer = createGraphTrainer(train, { seed: 1, learningRate: 3e-3 });
      try {
        const g = await trainer.fineTune(g0, undefined, 3);
        expect(await trainer.score(g, fitToModel(split.test, g))).toBeGreaterThan(0.85);
        const x = Tensor.fromNumbers('float32', g.inputs[0].shape as number[], Array.from(train.features.subarray(0, 64)));
        const ours = runGraph(g, { input: x }).get(g.outputs[0].name)!;
        const probe = fitToModel(split.train, g);
        const scoreOne = await trainer.score(g, { ...probe, features: probe.features.slice(0, 64), labels: probe.labels.slice(0, 1), count: 1 });
        const predicted = ours.toNumbers().indexOf(Math.max(...ours.toNumbers()));
        expect(scoreOne).toBe(predicted === probe.labels[0] ? 1 : 0);
      } finally {
        trainer.dispose();
      }
    });
  }
});
