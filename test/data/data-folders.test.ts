// --data folders: ONNX test_data_set_* folders with their errors (missing, wrong kind, unreadable, gaps), non-finite tensors, and too few rows for the split.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadDataset } from '../../src/data/load-dataset.js';
import { readDataFolder } from '../../src/data/onnx-data-folder.js';
import { splitDataset } from '../../src/data/split.js';
import { UserError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { writeTensorFile } from '../../src/onnx/tensor-proto.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-folders-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A folder of test_data_set_* folders, each with the given tensors (file name → tensor). */
function dataFolder(sets: Record<string, Tensor>[]): string {
  const dir = fs.mkdtempSync(path.join(root, 'data-'));
  sets.forEach((files, i) => {
    const set = path.join(dir, `test_data_set_${i}`);
    fs.mkdirSync(set);
    for (const [name, t] of Object.entries(files)) writeTensorFile(path.join(set, name), t);
  });
  return dir;
}

const x = (rows: number, values?: number[]) => Tensor.fromNumbers('float32', [rows, 3], values ?? Array.from({ length: rows * 3 }, (_, i) => i));
const labels = (values: number[]) => Tensor.fromNumbers('int64', [values.length], values);

function loadError(dir: string): string {
  try {
    loadDataset(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('the folder was accepted');
}

describe('ONNX test-data folders as --data', () => {
  it('loads batches of features with integer labels', () => {
    const ds = loadDataset(dataFolder([{ 'input_0.pb': x(2), 'output_0.pb': labels([0, 1]) }, { 'input_0.pb': x(1), 'output_0.pb': labels([2]) }]));
    expect(ds.count).toBe(3);
    expect(ds.classes).toBe(3);
  });

  it('refuses NaN and infinite inputs with the file, row and column', () => {
    const values = [0, 1, 2, 3, NaN, 5];
    const dir = dataFolder([{ 'input_0.pb': x(1), 'output_0.pb': labels([0]) }, { 'input_0.pb': x(2, values), 'output_0.pb': labels([0, 1]) }]);
    expect(loadError(dir)).toMatch(/test_data_set_1\/input_0\.pb' row 2, column 2: the value is NaN, not a finite number/);
    const inf = dataFolder([{ 'input_0.pb': x(1, [1, Infinity, 2]), 'output_0.pb': labels([0]) }]);
    expect(loadError(inf)).toMatch(/row 1, column 2: the value is Infinity/);
    const targets = dataFolder([{ 'input_0.pb': x(1), 'output_0.pb': Tensor.fromNumbers('float32', [1, 1], [NaN]) }]);
    expect(loadError(targets)).toMatch(/output_0\.pb' row 1, column 1: the value is NaN/);
  });

  it('refuses negative and absurdly large labels with their file and row', () => {
    expect(loadError(dataFolder([{ 'input_0.pb': x(2), 'output_0.pb': labels([0, -1]) }]))).toMatch(/output_0\.pb' row 2: label -1 is negative/);
    expect(loadError(dataFolder([{ 'input_0.pb': x(1), 'output_0.pb': labels([123456]) }]))).toMatch(/label 123456 is too large/);
  });

  it('names what is wrong with a folder: empty, of another kind, a file where a set folder belongs, gaps, a missing input', () => {
    const empty = fs.mkdtempSync(path.join(root, 'empty-'));
    expect(loadError(empty)).toMatch(/data folder '.*' is empty; expected x\.npy \+ y\.npy, or ONNX test_data_set_\* folders/);
    const other = fs.mkdtempSync(path.join(root, 'other-'));
    fs.writeFileSync(path.join(other, 'notes.txt'), 'hello');
    fs.mkdirSync(path.join(other, 'images'));
    expect(loadError(other)).toMatch(/holds only images, notes\.txt; expected/);
    const fileSet = fs.mkdtempSync(path.join(root, 'fileset-'));
    fs.writeFileSync(path.join(fileSet, 'test_data_set_0'), '');
    expect(loadError(fileSet)).toMatch(/test_data_set_0' is a file; test_data_set_\* entries must be folders/);
    const dangling = fs.mkdtempSync(path.join(root, 'dangling-'));
    fs.symlinkSync(path.join(dangling, 'nowhere'), path.join(dangling, 'test_data_set_0'));
    expect(loadError(dangling)).toMatch(/test data folder '.*test_data_set_0' is a broken symbolic link/);
    expect(loadError(dataFolder([{ 'input_0.pb': x(1), 'output_1.pb': labels([0]) }]))).toMatch(/output_0\.pb is missing/);
    expect(loadError(dataFolder([{ 'output_0.pb': labels([0]) }]))).toMatch(/holds no input_0\.pb/);
    expect(loadError(dataFolder([{ 'input_0.pb': x(1) }]))).toMatch(/holds 1 input and 0 output tensor files/);
    expect(loadError(dataFolder([{ 'input_0.pb': x(2), 'output_0.pb': labels([0]) }]))).toMatch(/holds 1 labels \(shape \[1\]\) for the 2 samples/);
    expect(loadError(dataFolder([{ 'input_0.pb': x(1), 'output_0.pb': labels([0]) }, { 'input_0.pb': x(1), 'output_0.pb': Tensor.fromNumbers('float32', [1], [0.5]) }]))).toMatch(/labels \(integers\) and targets \(floats\) cannot be mixed/);
    expect(loadError(dataFolder([{ 'input_0.pb': Tensor.fromNumbers('float32', [3], [1, 2, 3]), 'output_0.pb': labels([0]) }]))).toMatch(/has shape \[3\]; expected \[samples, features...\]/);
    const corrupt = dataFolder([{ 'input_0.pb': x(1), 'output_0.pb': labels([0]) }]);
    fs.writeFileSync(path.join(corrupt, 'test_data_set_0', 'input_0.pb'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(loadError(corrupt)).toMatch(/input_0\.pb/);
  });

  it('reports a folder it may not read (permission denied) as the user\'s problem', () => {
    const dir = dataFolder([{ 'input_0.pb': x(1), 'output_0.pb': labels([0]) }]);
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    vi.spyOn(fs, 'readdirSync').mockImplementation(() => {
      throw denied;
    });
    expect(loadError(dir)).toMatch(/cannot read data folder '.*': permission denied/);
  });

  it('reads one test_data_set folder given directly (verify does), and at most `limit` sets', () => {
    const dir = dataFolder([{ 'input_0.pb': x(1) }, { 'input_0.pb': x(1) }, { 'input_0.pb': x(1) }]);
    expect(readDataFolder(path.join(dir, 'test_data_set_1')).map((s) => path.basename(s.dir))).toEqual(['test_data_set_1']);
    expect(readDataFolder(dir, 2)).toHaveLength(2);
  });
});

describe('too few rows for the split', () => {
  const dataset = (perClass: number[]) => {
    const labels = perClass.flatMap((n, c) => Array.from({ length: n }, () => c));
    return { features: new Float32Array(labels.length), labels: Int32Array.from(labels), count: labels.length, featureShape: [1], classes: perClass.length, source: 'rows.csv' };
  };

  it('says how many samples there are and how many a class needs', () => {
    expect(() => splitDataset(dataset([1, 1, 1]), { validation: 0.15, test: 0.2 })).toThrow(
      /data 'rows\.csv' has 3 samples \(class 0: 1, class 1: 1, class 2: 1\), too few for a (test|validation) part: .* a class needs at least [34] samples/,
    );
    expect(() => splitDataset(dataset([2]), { validation: 0.15, test: 0.2 })).toThrow(/too few for a .* part/);
    expect(() => splitDataset(dataset([1, 1]), { validation: 0.15, test: 0.2 })).toThrow(UserError);
  });

  it('splits as soon as every part gets a sample, and leaves a part of fraction 0 empty', () => {
    const s = splitDataset(dataset([4, 4]), { validation: 0.15, test: 0.2 });
    expect([s.train.count, s.validation.count, s.test.count].every((n) => n > 0)).toBe(true);
    expect(splitDataset(dataset([3]), { validation: 0, test: 0.2 }).validation.count).toBe(0);
  });
});
