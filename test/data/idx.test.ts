// IDX data (the MNIST family's format): element types, gzip, labels beside the images, the four-file folder, and hostile files each refused by name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isIdxName, labelsBeside, readIdx } from '../../src/data/idx.js';
import { loadData, loadDataset } from '../../src/data/load-dataset.js';
import { UserError } from '../../src/errors.js';
import { idxBytes, writeIdx, writeImageSet } from '../support/idx.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-idx-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => {
  const dir = path.join(root, `d${counter++}`);
  fs.mkdirSync(dir);
  return dir;
};

/** The UserError message of `f`, failing the test if it throws anything else or nothing. */
function userError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

/** Images (3 samples of 2x2) and labels in `dir`, gzipped or not; returns the images file. */
function smallPair(dir: string, gz: boolean, images = idxBytes([3, 2, 2], [0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252]), labels = idxBytes([3], [2, 0, 1])): string {
  const ext = gz ? '.gz' : '';
  writeIdx(dir, `train-labels-idx1-ubyte${ext}`, labels);
  return writeIdx(dir, `train-images-idx3-ubyte${ext}`, images);
}

describe('IDX files', () => {
  for (const gz of [false, true]) {
    it(`reads unsigned-byte images and their labels beside them${gz ? ' (gzipped)' : ''}: raw pixel values, samples of [1, rows, cols]`, () => {
      const ds = loadDataset(smallPair(freshDir(), gz));
      expect(ds.count).toBe(3);
      expect(ds.featureShape).toEqual([1, 2, 2]);
      expect(Array.from(ds.features)).toEqual([0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252]);
      expect(Array.from(ds.labels)).toEqual([2, 0, 1]);
      expect(ds.classes).toBe(3);
    });
  }

  it('reads every element type of the format, big-endian', () => {
    const dir = freshDir();
    const cases: [number, number[]][] = [[0x09, [-128, 127]], [0x0b, [-30000, 1234]], [0x0c, [-70000, 16_000_000]], [0x0d, [1.5, -2.25]], [0x0e, [0.125, 1e30]]];
    for (const [type, values] of cases) {
      const file = writeIdx(dir, `t${type}.idx`, idxBytes([2], values, type));
      expect(Array.from(readIdx(file).values)).toEqual(values.map(Math.fround));
    }
  });

  it('a 2-D images file gives flat samples', () => {
    const dir = freshDir();
    writeIdx(dir, 'x-labels-idx1-ubyte', idxBytes([2], [0, 1]));
    const ds = loadDataset(writeIdx(dir, 'x-images-idx2-ubyte', idxBytes([2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])));
    expect(ds.featureShape).toEqual([5]);
  });

  it('finds the labels beside the images (images → labels, idx3 → idx1, gzipped or not), and --labels overrides', () => {
    expect(labelsBeside('/d/train-images-idx3-ubyte.gz')).toBe(path.join('/d', 'train-labels-idx1-ubyte.gz'));
    expect(labelsBeside('/d/t10k-images.idx3-ubyte')).toBe(path.join('/d', 't10k-labels.idx1-ubyte'));
    expect(userError(() => labelsBeside('/d/pixels.idx'))).toMatch(/cannot tell which file holds the labels of '\/d\/pixels.idx'/);
    const dir = freshDir();
    // Gzipped images, plain labels: the labels are still found.
    writeIdx(dir, 'a-labels-idx1-ubyte', idxBytes([3], [1, 1, 0]));
    const images = writeIdx(dir, 'a-images-idx3-ubyte.gz', idxBytes([3, 1, 1], [5, 6, 7]));
    expect(Array.from(loadDataset(images).labels)).toEqual([1, 1, 0]);
    const other = writeIdx(dir, 'other.idx', idxBytes([3], [4, 4, 4]));
    expect(Array.from(loadDataset(images, { labels: other }).labels)).toEqual([4, 4, 4]);
    expect(isIdxName('x/train-images-idx3-ubyte')).toBe(true);
    expect(isIdxName('x/train.csv')).toBe(false);
  });

  it('a folder of the four MNIST files: the train files are the data, the t10k files the test set', () => {
    const dir = freshDir();
    writeImageSet(dir, 'train', 40, { rows: 6, cols: 6 });
    writeImageSet(dir, 't10k', 12, { rows: 6, cols: 6, seed: 2 });
    const { data, test } = loadData(dir);
    expect(data.count).toBe(40);
    expect(data.source).toBe(path.join(dir, 'train-images-idx3-ubyte.gz'));
    expect(test?.count).toBe(12);
    expect(test?.part).toBe('test');
    expect(loadDataset(dir).count).toBe(40);
    expect(userError(() => loadData(dir, { labels: path.join(dir, 'train-labels-idx1-ubyte.gz') }))).toMatch(/--labels takes the labels of one images file/);
    // Without t10k files: no fixed test set.
    const trainOnly = freshDir();
    writeImageSet(trainOnly, 'train', 8, { rows: 6, cols: 6 });
    expect(loadData(trainOnly).test).toBeUndefined();
    const testOnly = freshDir();
    writeImageSet(testOnly, 't10k', 8, { rows: 6, cols: 6 });
    expect(userError(() => loadData(testOnly))).toMatch(/holds t10k-images-idx3-ubyte.gz but no train-images-idx3-ubyte/);
  });
});

describe('hostile IDX files', () => {
  const header = (type: number, dims: number[]) => idxBytes(dims, [], type);

  it('wrong magic, an undefined type byte, a rank edgeprune does not read, a header cut short', () => {
    const dir = freshDir();
    const bad = Buffer.from(idxBytes([1, 1, 1], [0]));
    bad[0] = 0x50;
    expect(userError(() => readIdx(writeIdx(dir, 'a.idx', bad)))).toMatch(/'.*a\.idx' is not an IDX file: its magic number is 0x50000803/);
    expect(userError(() => readIdx(writeIdx(dir, 'b.idx', header(0x0a, [1]))))).toMatch(/b\.idx' has IDX type byte 0x0a, which the format does not define/);
    expect(userError(() => readIdx(writeIdx(dir, 'c.idx', header(0x08, [1, 1, 1, 1]))))).toMatch(/c\.idx' has 4 dimensions/);
    expect(userError(() => readIdx(writeIdx(dir, 'd.idx', header(0x08, [5, 28, 28]).subarray(0, 10))))).toMatch(/d\.idx' is truncated inside its IDX header/);
    expect(userError(() => readIdx(writeIdx(dir, 'e.idx', Buffer.from([0, 0]))))).toMatch(/e\.idx' is truncated: 2 bytes/);
    expect(userError(() => readIdx(writeIdx(dir, 'f.idx', header(0x08, [0, 28, 28]))))).toMatch(/f\.idx' holds no samples/);
  });

  for (const gz of [false, true]) {
    it(`truncated data and trailing bytes${gz ? ' (gzipped)' : ''}`, () => {
      const dir = freshDir();
      const ext = gz ? '.gz' : '';
      const full = idxBytes([4, 2, 2], new Array(16).fill(1));
      expect(userError(() => readIdx(writeIdx(dir, `t.idx${ext}`, full.subarray(0, full.length - 3))))).toMatch(/t\.idx(\.gz)?' is truncated: its header describes 4 × 2 × 2 unsigned byte values \(16 bytes\), the file holds 13/);
      expect(userError(() => readIdx(writeIdx(dir, `u.idx${ext}`, Buffer.concat([full, Buffer.from([9])]))))).toMatch(/u\.idx(\.gz)?' has bytes after the 4 × 2 × 2 unsigned byte values its header describes/);
    });
  }

  it('a header claiming 2^31 images is refused before anything is allocated', () => {
    const dir = freshDir();
    const file = writeIdx(dir, 'huge-images-idx3-ubyte', header(0x08, [2 ** 31, 28, 28]));
    expect(userError(() => loadDataset(file))).toMatch(/huge-images-idx3-ubyte' claims 2,147,483,648 × 28 × 28 = 1,683,627,180,032 values, more than the 67,108,864 edgeprune reads/);
  });

  it('a gzip bomb stops at the size its header describes', () => {
    const dir = freshDir();
    // The header says 10 images of 2x2 (56 bytes in all); the stream expands to 8 MiB.
    const bomb = zlib.gzipSync(Buffer.concat([header(0x08, [10, 2, 2]), Buffer.alloc(8 * 2 ** 20)]));
    const file = path.join(dir, 'bomb-images-idx3-ubyte.gz');
    fs.writeFileSync(file, bomb);
    expect(userError(() => readIdx(file))).toMatch(/bomb-images-idx3-ubyte\.gz' expands to more than the 56 bytes its IDX header describes/);
  });

  it('a corrupt gzip stream', () => {
    const dir = freshDir();
    const gz = zlib.gzipSync(idxBytes([50, 2, 2], new Array(200).fill(7).map((v, i) => (v * i) % 256)));
    gz.fill(0xff, 30, 60);
    const file = path.join(dir, 'c-images-idx3-ubyte.gz');
    fs.writeFileSync(file, gz);
    expect(userError(() => readIdx(file))).toMatch(/c-images-idx3-ubyte\.gz' is a corrupt or truncated gzip file/);
  });

  it('images and labels that disagree, labels of the wrong rank, out of range, or missing; NaN pixels; a labels file as --data', () => {
    const images = idxBytes([3, 2, 2], new Array(12).fill(1));
    let dir = freshDir();
    expect(userError(() => loadDataset(smallPair(dir, true, images, idxBytes([4], [0, 1, 0, 1]))))).toMatch(/train-labels-idx1-ubyte\.gz' holds 4 labels, but '.*train-images-idx3-ubyte\.gz' holds 3 samples/);
    dir = freshDir();
    expect(userError(() => loadDataset(smallPair(dir, false, images, idxBytes([3, 1], [0, 1, 0]))))).toMatch(/train-labels-idx1-ubyte' has 2 dimensions/);
    dir = freshDir();
    expect(userError(() => loadDataset(smallPair(dir, false, images, idxBytes([3], [0, -1, 0], 0x09))))).toMatch(/train-labels-idx1-ubyte' sample row 2: label -1 is negative/);
    dir = freshDir();
    expect(userError(() => loadDataset(smallPair(dir, false, images, idxBytes([3], [0, 1, 20000], 0x0c))))).toMatch(/sample row 3: label 20000 is too large/);
    dir = freshDir();
    expect(userError(() => loadDataset(smallPair(dir, false, images, idxBytes([3], [0, 1.5, 0], 0x0d))))).toMatch(/sample row 2: label 1.5 is not an integer class/);
    dir = freshDir();
    expect(userError(() => loadDataset(smallPair(dir, false, idxBytes([1, 1, 2], [0, Number.NaN], 0x0d), idxBytes([1], [0]))))).toMatch(/train-images-idx3-ubyte' row 1, column 2: the pixel is NaN/);
    dir = freshDir();
    const lonely = writeIdx(dir, 'train-images-idx3-ubyte', images);
    expect(userError(() => loadDataset(lonely))).toMatch(/no labels for '.*train-images-idx3-ubyte': '.*train-labels-idx1-ubyte' does not exist/);
    expect(userError(() => loadDataset(writeIdx(dir, 'train-labels-idx1-ubyte', idxBytes([3], [0, 1, 2]))))).toMatch(/is an IDX file of one dimension \(labels\?\); --data takes the images file/);
  });
});
