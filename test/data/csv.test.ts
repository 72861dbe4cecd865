// The CSV loader on the bundled digits, and the seeded stratified split.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { splitDataset } from '../../src/data/split.js';
import { UserError } from '../../src/errors.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');

function tmpFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-csv-'));
  const file = path.join(dir, 'data.csv');
  fs.writeFileSync(file, content);
  return file;
}

describe('digits CSV', () => {
  const ds = readCsvDataset(DIGITS);

  it('has 1797 samples of 64 pixels in 0..16 and 10 classes', () => {
    expect(ds.count).toBe(1797);
    expect(ds.featureShape).toEqual([64]);
    expect(ds.classes).toBe(10);
    expect(Math.min(...ds.features)).toBe(0);
    expect(Math.max(...ds.features)).toBe(16);
    const perClass = new Array(10).fill(0);
    for (const l of ds.labels) perClass[l]++;
    expect(Math.min(...perClass)).toBeGreaterThan(170);
  });

  it('splits deterministically, disjointly and stratified', () => {
    const a = splitDataset(ds, { validation: 0.1, test: 0.2 }, 7);
    const b = splitDataset(ds, { validation: 0.1, test: 0.2 }, 7);
    const c = splitDataset(ds, { validation: 0.1, test: 0.2 }, 8);
    expect(a.train.count + a.validation.count + a.test.count).toBe(1797);
    expect(Array.from(a.test.labels)).toEqual(Array.from(b.test.labels));
    expect(Array.from(a.test.features.slice(0, 640))).toEqual(Array.from(b.test.features.slice(0, 640)));
    expect(Array.from(a.test.features.slice(0, 640))).not.toEqual(Array.from(c.test.features.slice(0, 640)));
    expect(a.test.count).toBeGreaterThan(350);
    expect(a.test.count).toBeLessThan(370);
    const testClasses = new Set(a.test.labels);
    expect(testClasses.size).toBe(10);
    // Disjoint: the multiset of rows across the parts equals the whole data set.
    const key = (f: Float32Array, i: number) => Array.from(f.subarray(i * 64, i * 64 + 64)).join(',');
    const all = new Map<string, number>();
    for (let i = 0; i < ds.count; i++) all.set(key(ds.features, i), (all.get(key(ds.features, i)) ?? 0) + 1);
    for (const part of [a.train, a.validation, a.test]) {
      for (let i = 0; i < part.count; i++) {
        const k = key(part.features, i);
        all.set(k, all.get(k)! - 1);
      }
    }
    expect([...all.values()].every((v) => v === 0)).toBe(true);
  });
});

describe('CSV errors', () => {
  it('skips a header line and reads a reshaped sample', () => {
    const ds = readCsvDataset(tmpFile('a,b,c,d,label\n1,2,3,4,0\n5,6,7,8,2\n'), [2, 2]);
    expect(ds.count).toBe(2);
    expect(ds.classes).toBe(3);
    expect(ds.featureShape).toEqual([2, 2]);
  });

  it('names the line and column of a bad value', () => {
    expect(() => readCsvDataset(tmpFile('1,2,0\n1,x,1\n'))).toThrow(/line 2 column 2: 'x' is not a number/);
  });

  it('refuses a ragged row, a bad label and a missing file', () => {
    expect(() => readCsvDataset(tmpFile('1,2,0\n1,1\n'))).toThrow(/line 2 has 2 columns, expected 3/);
    expect(() => readCsvDataset(tmpFile('1,2,0.5\n'))).toThrow(/label '0.5'/);
    expect(() => readCsvDataset('/nonexistent/data.csv')).toThrow(UserError);
  });

  it('refuses features that do not fit the sample shape', () => {
    expect(() => readCsvDataset(tmpFile('1,2,3,0\n'), [2, 2])).toThrow(/3 features per row/);
  });
});
