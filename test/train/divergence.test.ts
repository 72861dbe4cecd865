// Training never carries NaN on: NaN outputs score 0, NaN or infinite data is refused, and a diverging fine-tune stops naming the layer and epoch.
import { beforeAll, describe, expect, it } from 'vitest';
import { subset } from '../../src/data/dataset.js';
import { UserError } from '../../src/errors.js';
import { cloneGraph, type Graph } from '../../src/ir/graph.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import { TrainingDivergedError } from '../../src/train/divergence.js';
import { buildTrainable, createGraphTrainer, dispose, evaluate, initTraining, train } from '../../src/train/index.js';
import { digitsSplit } from './helpers.js';

const { train: all, test: testAll } = digitsSplit();
const trainSet = subset(all, Array.from({ length: 200 }, (_, i) => i));
const testSet = subset(testAll, Array.from({ length: 100 }, (_, i) => i));

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

/** The digits MLP with one weight tensor filled with `value`. */
function poisoned(value: number, name = 'fc2.weight'): Graph {
  const g = cloneGraph(digitsMlp());
  const t = g.initializers.get(name)!.clone();
  (t.data as Float32Array).fill(value);
  g.initializers.set(name, t);
  return g;
}

describe('NaN outputs in the training bridge', () => {
  it('an all-NaN model scores 0, top-1 and top-k, with a NaN loss', async () => {
    const t = await buildTrainable(poisoned(NaN, 'fc1.weight'));
    const ev = await evaluate(t, testSet, { k: 3 });
    expect(ev.accuracy).toBe(0);
    expect(ev.topKAccuracy).toBe(0);
    expect(ev.loss).toBeNaN();
    dispose(t);
  });

  it('the graph trainer scores an all-NaN model 0', async () => {
    const trainer = createGraphTrainer(trainSet, { seed: 1 });
    expect(await trainer.score(poisoned(NaN, 'fc1.weight'), testSet)).toBe(0);
    trainer.dispose();
  });
});

describe('bad data and diverging training stop with a clear error', () => {
  it('refuses NaN or infinite features in a data set given in memory, with its row and column', async () => {
    const t = await buildTrainable(digitsMlp());
    const bad = subset(trainSet, [0, 1, 2]);
    bad.features[64 + 5] = Infinity;
    await expect(train(t, bad, { epochs: 1 })).rejects.toThrow(/training data '.*digits\.csv\.gz' \(train split\) row 2, column 6: the feature is Infinity, not a finite number/);
    dispose(t);
  });

  it('refuses to train a model whose weights are already NaN', async () => {
    const t = await buildTrainable(poisoned(NaN));
    await expect(train(t, trainSet, { epochs: 1 })).rejects.toThrow(/the model's layer 'fc2' \(weight 'fc2\.weight': 2048 of 2048 values are NaN\) before any training/);
    dispose(t);
  });

  it('a learning rate that blows the weights up stops training with the layer, epoch and what to do', async () => {
    const t = await buildTrainable(digitsMlp());
    const error = await train(t, trainSet, { epochs: 3, learningRate: 1e30, batchSize: 32 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    expect(e.message).toMatch(/^training diverged in epoch \d of 3(, batch \d+ of 7)?: .*layer '\w+' \(weight '[\w.]+': \d+ of \d+ values are (NaN|-?Infinity)\)/);
    expect(e.hint).toBe('lower the learning rate (--lr, now 1e+30), or check the data for extreme values');
    dispose(t);
  });

  it('the graph trainer\'s fineTune stops the same way instead of returning NaN weights', async () => {
    const trainer = createGraphTrainer(trainSet, { seed: 1, learningRate: 1e30 });
    await expect(trainer.fineTune(digitsMlp(), undefined, 3)).rejects.toThrow(TrainingDivergedError);
    trainer.dispose();
  });
});
