// Seeded train/validation/test split, stratified by class so that every part sees every digit; and a seeded stratified subset (--limit).

import { UserError } from '../errors.js';
import { Random } from '../util/random.js';
import { describeData, subset, type Dataset } from './dataset.js';

export interface SplitFractions {
  validation: number;
  test: number;
}

export interface DatasetSplit {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/** Why a split part came out empty: how many samples there are, and how many a class needs for one to land in the part. */
function emptyPartError(ds: Dataset, byClass: Map<number, number[]>, part: 'validation' | 'test', fraction: number): UserError {
  // A class of n samples gives round(n × fraction) of them to the part: at least one from n ≥ 0.5 / fraction.
  let need = Math.max(1, Math.ceil(0.5 / fraction - 1e-9));
  while (Math.round(need * fraction) < 1) need++;
  const sizes = [...byClass].sort((a, b) => a[0] - b[0]).map(([label, idx]) => (ds.targets ? `${idx.length}` : `class ${label}: ${idx.length}`));
  const shown = sizes.length > 6 ? `${sizes.slice(0, 6).join(', ')}, …` : sizes.join(', ');
  return new UserError(
    `${describeData(ds)} has ${ds.count} sample${ds.count === 1 ? '' : 's'} (${shown}), too few for a ${part} part: the split gives round(${fraction} × n) of each class's n samples to it, so a class needs at least ${need} samples`,
    `give more data (a class with at least ${need} samples), or raise --${part}`,
  );
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
  for (const part of ['validation', 'test'] as const) {
    if (fractions[part] > 0 && parts[part].length === 0) throw emptyPartError(ds, byClass, part, fractions[part]);
  }
  if (parts.train.length === 0) throw new UserError(`${describeData(ds)}: the split leaves no samples to train on (${ds.count} samples, --validation ${validation} --test ${test})`, 'give more data or smaller fractions');
  // Shuffle across classes so that batches mix digits.
  for (const k of Object.keys(parts) as (keyof DatasetSplit)[]) rng.shuffle(parts[k]);
  return {
    train: subset(ds, parts.train, 'train'),
    validation: subset(ds, parts.validation, 'validation'),
    test: subset(ds, parts.test, 'test'),
  };
}

/**
 * At most `limit` samples: a seeded subset stratified by class (each class keeps its share of the samples, rounded by
 * largest remainder so that the total is `limit`), in file order. The whole data set when it has `limit` or fewer.
 */
export function limitSamples(ds: Dataset, limit: number, seed = 0): Dataset {
  if (ds.count <= limit) return ds;
  const rng = new Random(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < ds.count; i++) {
    const label = ds.targets ? 0 : ds.labels[i];
    const list = byClass.get(label);
    if (list) list.push(i);
    else byClass.set(label, [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => (byClass.get(c)!.length * limit) / ds.count);
  const quota = exact.map(Math.floor);
  let left = limit - quota.reduce((a, b) => a + b, 0);
  // Largest remainders first; ties to the smaller class label.
  for (const k of classes.map((_, k) => k).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b)) {
    if (left-- <= 0) break;
    quota[k]++;
  }
  const kept = classes.flatMap((c, k) => rng.shuffle([...byClass.get(c)!]).slice(0, quota[k]));
  return subset(ds, kept.sort((a, b) => a - b));
}
