// The learning-rate schedules of train(): the cosine decay's values, and that a cosine call really steps at them
// (the search's and the pruning loop's final fine-tunes ask for it).
import { beforeAll, describe, expect, it } from 'vitest';
import { digitsMlp } from '../../src/models/sample-models.js';
import { buildTrainable, dispose, initTraining, train } from '../../src/train/index.js';
import { learningRateAt } from '../../src/train/train.js';
import { digitsSplit } from './helpers.js';

const { train: trainSet } = digitsSplit();

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

describe('learningRateAt', () => {
  it('constant: the base rate at every batch', () => {
    expect([0, 5, 9].map((k) => learningRateAt('constant', 1e-3, k, 10))).toEqual([1e-3, 1e-3, 1e-3]);
  });
  it('cosine: from the base rate down to zero along half a cosine', () => {
    expect(learningRateAt('cosine', 1e-3, 0, 10)).toBe(1e-3);
    expect(learningRateAt('cosine', 1e-3, 5, 10)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt('cosine', 1e-3, 9, 10)).toBeCloseTo(1e-3 * 0.5 * (1 + Math.cos(0.9 * Math.PI)), 12);
    expect(learningRateAt('cosine', 1e-3, 10, 10)).toBeCloseTo(0, 12);
    // Decreasing all the way.
    const rates = Array.from({ length: 10 }, (_, k) => learningRateAt('cosine', 1, k, 10));
    for (let k = 1; k < rates.length; k++) expect(rates[k]).toBeLessThan(rates[k - 1]);
  });
});

describe('train with a schedule', () => {
  it('a cosine call ends at the last batch\'s rate and trains other weights than a constant one; the next call starts from the base rate again', async () => {
    const options = { epochs: 1, batchSize: 64, learningRate: 3e-3, seed: 2 };
    const batches = Math.ceil(trainSet.count / options.batchSize);
    const rateOf = (t: Awaited<ReturnType<typeof buildTrainable>>) => (t.optimizer!.optimizer as unknown as { learningRate: number }).learningRate;
    const constant = await buildTrainable(digitsMlp());
    const cosine = await buildTrainable(digitsMlp());
    await train(constant, trainSet, options);
    await train(cosine, trainSet, { ...options, schedule: 'cosine' });
    expect(rateOf(constant)).toBe(3e-3);
    expect(rateOf(cosine)).toBeCloseTo(learningRateAt('cosine', 3e-3, batches - 1, batches), 12);
    const w = (t: typeof constant) => t.trained[0].variable.dataSync();
    const a = w(constant);
    const b = w(cosine);
    expect(a.length).toBe(b.length);
    expect(a.some((x, i) => x !== b[i])).toBe(true);
    await train(cosine, trainSet, options);
    expect(rateOf(cosine)).toBe(3e-3);
    dispose(constant);
    dispose(cosine);
  });
});
