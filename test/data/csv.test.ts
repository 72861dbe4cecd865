// The CSV loader on the bundled digits, and the seeded stratified split.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isHeaderLine, readCsvDataset } from '../../src/data/csv.js';
import { splitDataset } from '../../src/data/split.js';
import { UserError } from '../../src/errors.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmpFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-csv-'));
  tmpDirs.push(dir);
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
    expect(() => readCsvDataset(tmpFile('1,2,0\n1,x,1\n'))).toThrow(/row 2, column 2: 'x' is not a number/);
  });

  it('refuses a ragged row, a bad label and a missing file', () => {
    expect(() => readCsvDataset(tmpFile('1,2,0\n1,1\n'))).toThrow(/row 2 has 2 columns, expected 3/);
    expect(() => readCsvDataset(tmpFile('1,2,0.5\n'))).toThrow(/label '0.5'/);
    expect(() => readCsvDataset('/nonexistent/data.csv')).toThrow(UserError);
  });

  it('refuses features that do not fit the sample shape', () => {
    expect(() => readCsvDataset(tmpFile('1,2,3,0\n'), [2, 2])).toThrow(/3 features per row/);
  });
});

/** The error a CSV gives, as the one line the CLI prints. */
function csvError(content: string | Buffer, name = 'data.csv'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-csv-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  try {
    readCsvDataset(file);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('the CSV was accepted');
}

describe('CSV non-finite numbers', () => {
  it.each([
    ['Infinity', "'Infinity' is not a finite number"],
    ['-Infinity', "'-Infinity' is not a finite number"],
    ['inf', "'inf' is not a finite number"],
    ['-inf', "'-inf' is not a finite number"],
    ['NaN', "'NaN' is not a finite number"],
    ['nan', "'nan' is not a finite number"],
    ['', 'the cell is empty'],
    [' ', 'the cell is empty'],
    ['1e39', "'1e39' overflows float32"],
    ['-3.5e38', "'-3.5e38' overflows float32"],
    ['1e999', "'1e999' overflows float32"],
    ['0x10', "'0x10' is not a number"],
  ])('refuses %j with its row and column (1-based)', (cell, reason) => {
    const message = csvError(`a,b,c,label\n1,2,3,0\n4,${cell},6,1\n`);
    expect(message).toContain(`row 3, column 2: ${reason}`);
  });

  it('keeps the largest float32 and tiny numbers', () => {
    const ds = readCsvDataset(tmpFile('3.4028234e38,-1e-50,0\n1,2,1\n'));
    expect(ds.features[0]).toBe(Math.fround(3.4028234e38));
    expect(Number.isFinite(ds.features[0])).toBe(true);
  });

  it('a first row holding NaN or inf is data, not a header: refused at row 1', () => {
    expect(csvError('NaN,2,0\n1,2,1\n')).toContain("row 1, column 1: 'NaN' is not a finite number");
    expect(csvError('1,inf,0\n1,2,1\n')).toContain("row 1, column 2: 'inf' is not a finite number");
    expect(csvError('-Infinity,,0\n1,2,1\n')).toContain('row 1, column 1');
    expect(csvError('1,,0\n1,2,1\n')).toContain('row 1, column 2: the cell is empty');
  });

  it('the header rule: a first line with text that is not a number spelling is a header', () => {
    expect(isHeaderLine(['pixel0', 'pixel1', 'label'])).toBe(true);
    expect(isHeaderLine(['', 'x', 'label'])).toBe(true);
    expect(isHeaderLine(['1', '2', '0'])).toBe(false);
    expect(isHeaderLine(['NaN', '2', '0'])).toBe(false);
    expect(isHeaderLine(['inf', '-Infinity', 'nan'])).toBe(false);
    expect(isHeaderLine(['1', '', '0'])).toBe(false);
    expect(readCsvDataset(tmpFile('x,y,label\n1,2,0\n')).count).toBe(1);
  });

  it('numbers rows as the file does, blank lines included', () => {
    expect(csvError('a,b,label\n1,2,0\n\n\n1,Infinity,1\n')).toContain('row 5, column 2');
    expect(csvError('1,2,0\r\n1,2,0\r\n1,2\r\n')).toContain('row 3 has 2 columns, expected 3');
  });

  it('refuses labels that are not classes: negative, fractional, non-finite, absurdly large', () => {
    expect(csvError('1,2,-1\n')).toMatch(/row 1, column 3: label '-1' is negative/);
    expect(csvError('1,2,1.5\n')).toMatch(/row 1, column 3: label '1.5' is not an integer class/);
    expect(csvError('1,2,0\n1,2,inf\n')).toMatch(/row 2, column 3: label 'inf' is not a number/);
    expect(csvError('1,2,0\n1,2,\n')).toMatch(/row 2, column 3: the label cell is empty/);
    expect(csvError('1,2,0\n1,2,1000000\n')).toMatch(/row 2, column 3: label '1000000' is too large: class labels go up to 9999/);
    expect(readCsvDataset(tmpFile('1,2,9999\n')).classes).toBe(10_000);
  });

  it('refuses a header without data, a ragged header, a corrupt gzip file and a folder', () => {
    expect(csvError('a,b,label\n')).toContain('has a header line but no data rows');
    expect(csvError('a,b\n1,2,0\n')).toContain('row 1 (the header) has 2 columns, the data rows 3');
    expect(csvError(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), 'data.csv.gz')).toContain('is a corrupt gzip file');
    expect(() => readCsvDataset(os.tmpdir())).toThrow(/is a folder, not a file/);
  });

  it('refuses a device behind a .csv name instead of reading it forever', () => {
    const link = path.join(path.dirname(tmpFile('')), 'zero.csv');
    fs.symlinkSync('/dev/zero', link);
    expect(() => readCsvDataset(link)).toThrow(/data file '.*zero\.csv' is a device, not a regular file/);
  });

  it('refuses a file, or a gzip file once expanded, larger than the limit (a gzip bomb)', () => {
    const text = `${Array.from({ length: 400 }, () => '1,2,0').join('\n')}\n`;
    const gz = tmpFile('');
    fs.writeFileSync(gz, zlib.gzipSync(text));
    expect(zlib.gzipSync(text).length).toBeLessThan(1000);
    expect(() => readCsvDataset(gz, undefined, 1000)).toThrow(/expands to more than 1,000 bytes/);
    expect(readCsvDataset(gz, undefined, 4000).count).toBe(400);
    expect(() => readCsvDataset(tmpFile(text), undefined, 1000)).toThrow(/has 2,400 bytes, more than the limit of 1,000 bytes/);
  });
});
