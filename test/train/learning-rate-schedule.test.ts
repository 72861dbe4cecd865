// The learning-rate schedules of train(): the cosine's values per batch, and that the optimizer really steps at them
// (build's --anneal asks for it in the search's fine-tunes), a reused optimizer included.
import { beforeAll, describe, expect, it } from 'vitest';
import { digitsMlp } from '../../src/models/sample-models.js';
import { buildTrainable, dispose, initTraining, train, type Trainable } from '../../src/train/index.js';
import { COSINE_FLOOR, learningRateAt } from '../../src/train/train.js';
import { digitsSplit } from './helpers.js';

const { train: trainSet } = digitsSplit();

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

describe('learningRateAt', () => {
  it('constant: the base rate at every batch', () => {
    expect([0, 5, 9].map((k) => learningRateAt('constant', 1e-3, k, 10))).toEqual([1e-3, 1e-3, 1e-3]);
  });

  it('cosine: from the base rate at the first batch down to 1/100 of it at the last, along half a cosine', () => {
    expect(COSINE_FLOOR).toBe(0.01);
    expect(learningRateAt('cosine', 1e-3, 0, 11)).toBe(1e-3);
    expect(learningRateAt('cosine', 1e-3, 5, 11)).toBeCloseTo(1e-3 * (0.01 + 0.99 * 0.5), 15);
    expect(learningRateAt('cosine', 1e-3, 10, 11)).toBeCloseTo(1e-5, 15);
    const rates = Array.from({ length: 11 }, (_, k) => learningRateAt('cosine', 1, k, 11));
    for (let k = 1; k < rates.length; k++) expect(rates[k]).toBeLessThan(rates[k - 1]);
    // Symmetric about the middle: half a cosine between the base and the floor.
    expect(rates[2] - 0.01).toBeCloseTo(0.99 - (rates[8] - 0.01), 12);
    // One batch in all: the base rate.
    expect(learningRateAt('cosine', 1e-3, 0, 1)).toBe(1e-3);
  });
});

/** The learning rate the optimizer holds at each of its steps during `run`. */
async function ratesStepped(t: Trainable, run: () => Promise<unknown>): Promise<number[]> {
  const opt = t.optimizer!.optimizer as unknown as { learningRate: number; applyGradients: (g: unknown) => void };
  const apply = opt.applyGradients.bind(opt);
  const seen: number[] = [];
  opt.applyGradients = (g) => {
    seen.push(opt.learningRate);
    apply(g);
  };
  try {
    await run();
  } finally {
    opt.applyGradients = apply;
  }
  return seen;
}

describe('train with a schedule', () => {
  it('a cosine call steps at learningRateAt for every batch; a constant call at the base rate, on the same (reused) optimizer', async () => {
    const options = { epochs: 2, batchSize: 128, learningRate: 3e-3, seed: 2 };
    const batches = Math.ceil(trainSet.count / options.batchSize);
    const t = await buildTrainable(digitsMlp());
    // 0 epochs: the optimizer is made, nothing trained.
    await train(t, trainSet, { ...options, epochs: 0 });
    const reported: number[] = [];
    const cosine = await ratesStepped(t, () => train(t, trainSet, { ...options, schedule: 'cosine', onBatch: (p) => reported.push(p.learningRate) }));
    const expected = Array.from({ length: 2 * batches }, (_, k) => learningRateAt('cosine', 3e-3, k, 2 * batches));
    expect(cosine).toEqual(expected);
    expect(reported).toEqual(expected);
    expect(cosine[0]).toBe(3e-3);
    expect(cosine.at(-1)).toBeCloseTo(3e-5, 15);
    // The next call without a schedule starts from the base rate again (the reused optimizer is reset to it).
    const constant = await ratesStepped(t, () => train(t, trainSet, options));
    expect(constant).toEqual(Array(2 * batches).fill(3e-3));
    dispose(t);
  });

  it('trains other weights than the constant rate from the same start and seed (the rate reaches the update)', async () => {
    const options = { epochs: 1, batchSize: 64, learningRate: 3e-3, seed: 2 };
    const a = await buildTrainable(digitsMlp());
    const b = await buildTrainable(digitsMlp());
    const w = (t: Trainable) => t.trained[0].variable.dataSync();
    expect(w(a)).toEqual(w(b));
    await train(a, trainSet, options);
    await train(b, trainSet, { ...options, schedule: 'cosine' });
    expect(w(a).some((x, i) => x !== w(b)[i])).toBe(true);
    // And the same bytes again with the same schedule and seed (deterministic).
    const c = await buildTrainable(digitsMlp());
    await train(c, trainSet, { ...options, schedule: 'cosine' });
    expect(w(c)).toEqual(w(b));
    for (const t of [a, b, c]) dispose(t);
  });
});
