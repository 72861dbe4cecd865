// Seeded train/validation/test split, stratified by class so that every part sees every digit.

import { UserError } from '../errors.js';
import { Random } from '../util/random.js';
import { subset, type Dataset } from './dataset.js';

export interface SplitFractions {
  validation: number;
  test: number;
}

export interface DatasetSplit {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/** Split per class in the given fractions (the rest trains), shuffled with `seed`. */
export function splitDataset(ds: Dataset, fractions: SplitFractions = { validation: 0.15, test: 0.2 }, seed = 0): DatasetSplit {
  const { validation, test } = fractions;
  if (validation < 0 || test < 0 || validation + test >= 1) {
    throw new UserError(`split fractions validation=${validation} test=${test} must be non-negative and leave samples to train on`);
  }
  const rng = new Random(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < ds.count; i++) {
    const list = byClass.get(ds.labels[i]) ?? [];
    list.push(i);
    byClass.set(ds.labels[i], list);
  }
  const parts: Record<keyof DatasetSplit, number[]> = { train: [], validation: [], test: [] };
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng.shuffle(byClass.get(label)!);
    const nTest = Math.round(idx.length * test);
    const nVal = Math.round(idx.length * validation);
    parts.test.push(...idx.slice(0, nTest));
    parts.validation.push(...idx.slice(nTest, nTest + nVal));
    parts.train.push(...idx.slice(nTest + nVal));
  }
  // Shuffle across classes so that batches mix digits.
  for (const k of Object.keys(parts) as (keyof DatasetSplit)[]) rng.shuffle(parts[k]);
  return {
    train: subset(ds, parts.train, 'train'),
    validation: subset(ds, parts.validation, 'validation'),
    test: subset(ds, parts.test, 'test'),
  };
}
