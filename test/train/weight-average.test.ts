// Weight averaging over a fine-tune's last epochs (build's --average-epochs): the model train() returns holds the
// mean of the weights at the ends of the averaged epochs, pruned weights stay exactly +0, and the bytes repeat.
import { beforeAll, describe, expect, it } from 'vitest';
import { digitsMlp } from '../../src/models/sample-models.js';
import { buildTrainable, dispose, initTraining, setMasks, train, type Trainable } from '../../src/train/index.js';
import { averagedEpoch } from '../../src/train/weight-average.js';
import { digitsSplit } from './helpers.js';

const { train: trainSet } = digitsSplit();

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

/** A mask pruning every third weight of the first trained weight matrix. */
function maskOf(t: Trainable): Map<string, Uint8Array> {
  const first = t.trained[0];
  return new Map([[first.binding.initializer, Uint8Array.from({ length: first.variable.size }, (_, i) => (i % 3 === 0 ? 0 : 1))]]);
}

const weights = (t: Trainable) => t.trained.map((p) => Float32Array.from(p.variable.dataSync() as Float32Array));

describe('averagedEpoch', () => {
  it('the last k epochs of a call, none at 0, every one when k exceeds the epochs', () => {
    expect([0, 1, 2, 3, 4].filter((e) => averagedEpoch(e, 5, 2))).toEqual([3, 4]);
    expect([0, 1, 2].filter((e) => averagedEpoch(e, 3, 0))).toEqual([]);
    expect([0, 1, 2].filter((e) => averagedEpoch(e, 3, 7))).toEqual([0, 1, 2]);
  });
});

describe('train with averageLastEpochs', () => {
  it('returns the mean of the weights at the ends of the last k epochs (pruned weights +0), the same bytes on a rerun', async () => {
    const options = { epochs: 3, batchSize: 64, learningRate: 3e-3, seed: 4 };
    // The plain run, with a snapshot of the weights at the end of every epoch.
    const plain = await buildTrainable(digitsMlp());
    setMasks(plain, maskOf(plain));
    const ends: Float32Array[][] = [];
    await train(plain, trainSet, { ...options, onEpoch: () => void ends.push(weights(plain)) });
    expect(ends).toHaveLength(3);
    // The averaged run from the same start, seed and masks: the same trajectory, then the mean of the last 2 ends.
    const averaged = await buildTrainable(digitsMlp());
    setMasks(averaged, maskOf(averaged));
    const seen: Float32Array[][] = [];
    await train(averaged, trainSet, { ...options, averageLastEpochs: 2, onEpoch: () => void seen.push(weights(averaged)) });
    expect(seen).toEqual(ends);
    const mean = weights(averaged);
    for (const [i, w] of mean.entries()) {
      const expected = Float32Array.from(w, (_, k) => (ends[1][i][k] + ends[2][i][k]) / 2);
      expect(w).toEqual(expected);
    }
    // Not the last iterate.
    expect(mean[0].some((x, k) => x !== ends[2][0][k])).toBe(true);
    // Pruned weights exactly +0 (not -0), the others not all zero.
    const mask = maskOf(averaged).values().next().value!;
    for (let k = 0; k < mask.length; k++) if (mask[k] === 0) expect(Object.is(mean[0][k], 0)).toBe(true);
    expect(mean[0].some((x, k) => mask[k] === 1 && x !== 0)).toBe(true);
    // Deterministic: the same bytes again.
    const again = await buildTrainable(digitsMlp());
    setMasks(again, maskOf(again));
    await train(again, trainSet, { ...options, averageLastEpochs: 2 });
    expect(weights(again)).toEqual(mean);
    for (const t of [plain, averaged, again]) dispose(t);
  }, 60_000);

  it('refuses a negative or fractional count', async () => {
    const t = await buildTrainable(digitsMlp());
    await expect(train(t, trainSet, { epochs: 1, averageLastEpochs: -1 })).rejects.toThrow(/epochs to average must be a non-negative integer/);
    await expect(train(t, trainSet, { epochs: 1, averageLastEpochs: 1.5 })).rejects.toThrow(/epochs to average/);
    dispose(t);
  });
});
