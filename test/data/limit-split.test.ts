// --limit (a seeded subset stratified by class) and the split of a data set that brings its own test set (an IDX folder's t10k files).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSplit, pickSplit } from '../../src/cli/data-options.js';
import type { Dataset } from '../../src/data/dataset.js';
import { limitSamples } from '../../src/data/split.js';
import { UserError } from '../../src/errors.js';
import { writeImageSet } from '../support/idx.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-limit-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** `sizes[c]` samples of class c, in blocks; feature = sample index. */
function classes(sizes: number[]): Dataset {
  const labels = sizes.flatMap((n, c) => new Array<number>(n).fill(c));
  return { features: Float32Array.from(labels.map((_, i) => i)), labels: Int32Array.from(labels), count: labels.length, featureShape: [1], classes: sizes.length, source: 'mem' };
}
const perClass = (ds: Dataset) => Array.from(ds.labels).reduce<number[]>((acc, l) => ((acc[l] = (acc[l] ?? 0) + 1), acc), []);

describe('limitSamples', () => {
  const ds = classes([50, 30, 20]);

  it('keeps exactly n samples, each class in its share (largest remainder), in file order', () => {
    const ten = limitSamples(ds, 10, 0);
    expect(ten.count).toBe(10);
    expect(perClass(ten)).toEqual([5, 3, 2]);
    const seven = limitSamples(ds, 7, 0);
    // 3.5, 2.1, 1.4 → 3, 2, 1 plus one for the largest remainder (class 0).
    expect(perClass(seven)).toEqual([4, 2, 1]);
    const order = Array.from(seven.features);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('is seeded: the same seed picks the same samples, another seed others', () => {
    const a = Array.from(limitSamples(ds, 10, 1).features);
    expect(Array.from(limitSamples(ds, 10, 1).features)).toEqual(a);
    expect(Array.from(limitSamples(ds, 10, 2).features)).not.toEqual(a);
  });

  it('leaves a data set of n or fewer samples as it is', () => {
    expect(limitSamples(ds, 100, 0)).toBe(ds);
    expect(limitSamples(ds, 500, 0)).toBe(ds);
  });
});

describe('the split of an IDX folder', () => {
  const dir = path.join(root, 'idx');
  fs.mkdirSync(dir);
  writeImageSet(dir, 'train', 80, { rows: 6, cols: 6 });
  writeImageSet(dir, 't10k', 20, { rows: 6, cols: 6, seed: 9 });

  it('splits the train files into train and validation; the t10k files are the test part', () => {
    const split = loadSplit(dir, { seed: 0, validation: 0.25 });
    expect(split.test.count).toBe(20);
    expect(split.test.part).toBe('test');
    expect(split.validation.count).toBe(20);
    expect(split.train.count).toBe(60);
    expect(split.train.featureShape).toEqual([1, 6, 6]);
  });

  it('refuses --test, which would split off a second test part', () => {
    expect(() => loadSplit(dir, { seed: 0, validation: 0.15, test: 0.2 })).toThrow(UserError);
    expect(() => loadSplit(dir, { seed: 0, validation: 0.15, test: 0.2 })).toThrow(/--test 0.2: data '.*idx' brings its own test set \(.*t10k-images-idx3-ubyte\.gz\)/);
  });

  it('--limit cuts the data and the test set to n samples each, before the split', () => {
    const split = loadSplit(dir, { seed: 0, validation: 0.25, limit: 16 });
    expect(split.train.count + split.validation.count).toBe(16);
    expect(split.test.count).toBe(16);
    expect(perClass(split.test)).toEqual([4, 4, 4, 4]);
  });

  it("eval's parts: 'all' is the train and the t10k files together, 'test' the t10k files", () => {
    expect(pickSplit(dir, { seed: 0, validation: 0.15 }, 'all').count).toBe(100);
    expect(pickSplit(dir, { seed: 0, validation: 0.15 }, 'test').count).toBe(20);
  });

  it('without a fixed test set, --test splits as before (default 0.2)', () => {
    const file = path.join(dir, 'train-images-idx3-ubyte.gz');
    expect(loadSplit(file, { seed: 0, validation: 0.15 }).test.count).toBe(16);
    expect(loadSplit(file, { seed: 0, validation: 0.15, test: 0.25 }).test.count).toBe(20);
  });
});
