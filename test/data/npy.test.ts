// The .npy reader and NumPy data sets: malformed headers, versions, sizes, dtypes, Fortran order, and non-finite values with their row and column.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load-dataset.js';
import { readNpy, writeNpy } from '../../src/data/npy.js';
import { UserError } from '../../src/errors.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-npy-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A .npy file from a header dict text and raw data bytes (format version `major`). */
function npyFile(header: string, data: Buffer, major = 1): string {
  const pre = major === 1 ? 10 : 12;
  let text = header;
  text += ' '.repeat((64 - ((pre + text.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(pre);
  head.writeUInt8(0x93, 0);
  head.write('NUMPY', 1, 'latin1');
  head.writeUInt8(major, 6);
  if (major === 1) head.writeUInt16LE(text.length, 8);
  else head.writeUInt32LE(text.length, 8);
  const file = path.join(root, `a${counter++}.npy`);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(text, 'latin1'), data]));
  return file;
}

const f32 = (values: number[], little = true) => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => (little ? b.writeFloatLE(v, i * 4) : b.writeFloatBE(v, i * 4)));
  return b;
};
const dict = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

function npyError(file: string): string {
  try {
    readNpy(file);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('the .npy file was accepted');
}

describe('readNpy', () => {
  it('reads versions 1 and 2, big-endian and float16', () => {
    expect(Array.from(readNpy(npyFile(dict('<f4', '(2, 2)'), f32([1, 2, 3, 4]))).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(readNpy(npyFile(dict('<f4', '(2,)'), f32([5, 6]), 2)).data)).toEqual([5, 6]);
    expect(Array.from(readNpy(npyFile(dict('>f4', '(2,)'), f32([7, 8], false))).data)).toEqual([7, 8]);
    const half = Buffer.alloc(4);
    half.writeUInt16LE(0x3c00, 0); // 1.0
    half.writeUInt16LE(0xc000, 2); // -2.0
    const h = readNpy(npyFile(dict('<f2', '(2,)'), half));
    expect(Array.from(h.data)).toEqual([1, -2]);
    expect(h.integral).toBe(false);
    expect(readNpy(npyFile(dict('|u1', '(3,)'), Buffer.from([1, 2, 3]))).integral).toBe(true);
  });

  it('refuses a bad magic, an unknown version and a header longer than the file', () => {
    const plain = path.join(root, 'plain.npy');
    fs.writeFileSync(plain, 'not numpy at all');
    expect(npyError(plain)).toMatch(/is not a NumPy \.npy file/);
    expect(npyError(npyFile(dict('<f4', '(1,)'), f32([1]), 9))).toMatch(/format version 9\.0; edgeprune reads versions 1 to 3/);
    const short = path.join(root, 'short.npy');
    const b = Buffer.alloc(12);
    b.writeUInt8(0x93, 0);
    b.write('NUMPY', 1, 'latin1');
    b.writeUInt8(1, 6);
    b.writeUInt16LE(60000, 8);
    fs.writeFileSync(short, b);
    expect(npyError(short)).toMatch(/truncated: its \.npy header claims 60000 bytes/);
  });

  it('refuses malformed header dicts', () => {
    expect(npyError(npyFile("'descr': '<f4'", f32([1])))).toMatch(/malformed \.npy header \(not a Python dict\)/);
    expect(npyError(npyFile("{'fortran_order': False, 'shape': (1,), }", f32([1])))).toMatch(/malformed .*no 'descr'/);
    expect(npyError(npyFile("{'descr': '<f4', 'shape': (1,), }", f32([1])))).toMatch(/malformed .*no 'fortran_order'/);
    expect(npyError(npyFile("{'descr': '<f4', 'fortran_order': False, }", f32([1])))).toMatch(/malformed .*no 'shape' tuple/);
    expect(npyError(npyFile(dict('<f4', '(-2, 1)'), f32([1])))).toMatch(/shape \(-2, 1\) is not a tuple of non-negative integers/);
    expect(npyError(npyFile(dict('<f4', '(2, x)'), f32([1])))).toMatch(/shape \(2, x\) is not a tuple/);
  });

  it('refuses wrong data sizes: truncated, trailing bytes, absurd shapes', () => {
    expect(npyError(npyFile(dict('<f4', '(3,)'), f32([1, 2])))).toMatch(/truncated: shape \(3\) of '<f4' needs 12 bytes of data, the file has 8/);
    expect(npyError(npyFile(dict('<f4', '(1,)'), f32([1, 2])))).toMatch(/has 4 bytes after the data/);
    expect(npyError(npyFile(dict('<f4', '(3000000000, 64)'), f32([1])))).toMatch(/192,000,000,000 values, more than the/);
  });

  it('refuses unsupported dtypes and Fortran order', () => {
    expect(npyError(npyFile(dict('<c8', '(1,)'), Buffer.alloc(8)))).toMatch(/dtype '<c8'; supported: float16\/32\/64, \(u\)int8-64 and bool/);
    expect(npyError(npyFile(dict('<U3', '(1,)'), Buffer.alloc(12)))).toMatch(/dtype '<U3'/);
    expect(npyError(npyFile(dict('|O', '(1,)'), Buffer.alloc(8)))).toMatch(/dtype '\|O'/);
    expect(npyError(npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", f32([1])))).toMatch(/structured \(record\) array/);
    expect(npyError(npyFile(dict('<f4', '(2, 2)', 'True'), f32([1, 2, 3, 4])))).toMatch(/Fortran order/);
  });
});

describe('NumPy data sets', () => {
  function folder(x: { shape: number[]; values: number[] }, y: { shape: number[]; values: number[]; dtype: 'f4' | 'i8' }): string {
    const dir = fs.mkdtempSync(path.join(root, 'set-'));
    writeNpy(path.join(dir, 'x.npy'), x.shape, x.values);
    writeNpy(path.join(dir, 'y.npy'), y.shape, y.values, y.dtype);
    return dir;
  }
  const features = (n: number, w: number) => Array.from({ length: n * w }, (_, i) => i % 5);

  it('loads integer labels (shape (n,) or (n, 1)) and float targets', () => {
    const a = loadDataset(folder({ shape: [4, 3], values: features(4, 3) }, { shape: [4], values: [0, 1, 2, 1], dtype: 'i8' }));
    expect(a.classes).toBe(3);
    const b = loadDataset(folder({ shape: [4, 3], values: features(4, 3) }, { shape: [4, 1], values: [0, 1, 2, 1], dtype: 'i8' }));
    expect(Array.from(b.labels)).toEqual([0, 1, 2, 1]);
    const c = loadDataset(folder({ shape: [2, 3], values: features(2, 3) }, { shape: [2], values: [0.5, 1.5], dtype: 'f4' }));
    expect(c.targets && Array.from(c.targets)).toEqual([0.5, 1.5]);
  });

  it('refuses NaN and infinite features with row (sample) and column (flat feature), 1-based', () => {
    const x = features(3, 4);
    x[6] = NaN;
    expect(() => loadDataset(folder({ shape: [3, 2, 2], values: x }, { shape: [3], values: [0, 1, 0], dtype: 'i8' }))).toThrow(/x\.npy' row 2, column 3: the feature is NaN, not a finite number/);
    x[6] = 1;
    x[11] = -Infinity;
    expect(() => loadDataset(folder({ shape: [3, 4], values: x }, { shape: [3], values: [0, 1, 0], dtype: 'i8' }))).toThrow(/row 3, column 4: the feature is -Infinity/);
  });

  it('refuses float64 features beyond float32 and non-finite targets', () => {
    const dir = fs.mkdtempSync(path.join(root, 'f8-'));
    const data = Buffer.alloc(16);
    data.writeDoubleLE(1, 0);
    data.writeDoubleLE(1e39, 8);
    fs.renameSync(npyFile(dict('<f8', '(1, 2)'), data), path.join(dir, 'x.npy'));
    writeNpy(path.join(dir, 'y.npy'), [1], [0], 'i8');
    expect(() => loadDataset(dir)).toThrow(/row 1, column 2: the feature is 1e\+39, which overflows float32/);
    expect(() => loadDataset(folder({ shape: [2, 1], values: [1, 2] }, { shape: [2], values: [0.5, Infinity], dtype: 'f4' }))).toThrow(/y\.npy' row 2, column 1: the target is Infinity/);
  });

  it('refuses bad labels: negative, absurdly large, a row count that differs, none at all', () => {
    expect(() => loadDataset(folder({ shape: [2, 1], values: [1, 2] }, { shape: [2], values: [0, -3], dtype: 'i8' }))).toThrow(/row 2: label -3 is negative/);
    expect(() => loadDataset(folder({ shape: [2, 1], values: [1, 2] }, { shape: [2], values: [0, 2 ** 40], dtype: 'i8' }))).toThrow(/row 2: label 1099511627776 is too large/);
    expect(() => loadDataset(folder({ shape: [2, 1], values: [1, 2] }, { shape: [3], values: [0, 1, 1], dtype: 'i8' }))).toThrow(/so 3 rows; .* has 2/);
    const dir = folder({ shape: [2, 1], values: [1, 2] }, { shape: [2], values: [0, 1], dtype: 'i8' });
    fs.rmSync(path.join(dir, 'y.npy'));
    expect(() => loadDataset(dir)).toThrow(/y\.npy' does not exist/);
    expect(() => loadDataset(folder({ shape: [0, 4], values: [] }, { shape: [0], values: [], dtype: 'i8' }))).toThrow(/holds no samples/);
    expect(() => loadDataset(folder({ shape: [3, 0], values: [] }, { shape: [3], values: [0, 1, 0], dtype: 'i8' }))).toThrow(/has samples of shape \(0\): no features/);
  });
});
