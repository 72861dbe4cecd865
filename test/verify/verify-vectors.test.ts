// verify --data: the model's own ONNX test data (expected outputs), or a data set in any --data format, split as
// build and eval split it (the test split; an IDX folder's t10k files), with labels, --limit and the --vectors cap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadVerifyVectors, type VerifyDataOptions } from '../../src/cli/verify-data.js';
import { pickSplit } from '../../src/cli/data-options.js';
import { digitsMlp, mnistLikeCnn } from '../../src/models/sample-models.js';
import { Tensor } from '../../src/ir/tensor.js';
import { writeTensorFile } from '../../src/onnx/tensor-proto.js';
import { writeImageSet } from '../support/idx.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-verify-vectors-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const options = (o: Partial<VerifyDataOptions>): VerifyDataOptions => ({ seed: 0, validation: 0.15, split: 'test', ...o });

/** A folder of test_data_set_<i> folders holding the given tensors. */
function setsFolder(name: string, sets: Record<string, Tensor>[]): string {
  const dir = path.join(root, name);
  sets.forEach((files, i) => {
    fs.mkdirSync(path.join(dir, `test_data_set_${i}`), { recursive: true });
    for (const [file, t] of Object.entries(files)) writeTensorFile(path.join(dir, `test_data_set_${i}`, file), t);
  });
  return dir;
}

const row = (n: number, width: number, k = 0) => Tensor.fromNumbers('float32', [n, width], Array.from({ length: n * width }, (_, i) => ((i + k) % 17) / 16));

describe('verify vectors from --data', () => {
  it('a CSV: the test split eval uses, every sample with its label, capped by --vectors', () => {
    const o = options({ data: DIGITS });
    const test = pickSplit(DIGITS, o, 'test');
    const all = loadVerifyVectors(digitsMlp(), o, true);
    expect(all.inputs).toHaveLength(test.count);
    expect(all.labels).toEqual(Array.from(test.labels));
    expect(Array.from(all.inputs[5][0].data as Float32Array)).toEqual(Array.from(test.features.subarray(5 * 64, 6 * 64)));
    expect(all.inputs[0][0].shape).toEqual([1, 64]);
    expect(all.source).toMatch(/every sample of data '.*digits\.csv\.gz' \(test split\)/);
    const capped = loadVerifyVectors(digitsMlp(), options({ data: DIGITS, vectors: 7 }), true);
    expect(capped.inputs).toHaveLength(7);
    expect(capped.labels).toEqual(Array.from(test.labels.subarray(0, 7)));
    expect(capped.source).toMatch(/^7 of the 359 samples/);
    // --limit cuts the data before the split, as build and eval do; --split picks another part.
    expect(loadVerifyVectors(digitsMlp(), options({ data: DIGITS, limit: 200 }), true).inputs).toHaveLength(pickSplit(DIGITS, options({ limit: 200 }), 'test').count);
    expect(loadVerifyVectors(digitsMlp(), options({ data: DIGITS, split: 'all' }), true).inputs).toHaveLength(1797);
  });

  it('an IDX folder: its t10k files are the test split, --limit caps them', () => {
    const dir = path.join(root, 'idx');
    fs.mkdirSync(dir);
    writeImageSet(dir, 'train', 40);
    writeImageSet(dir, 't10k', 24, { seed: 7 });
    const v = loadVerifyVectors(mnistLikeCnn(), options({ data: dir }), true);
    expect(v.inputs).toHaveLength(24);
    expect(v.inputs[0][0].shape).toEqual([1, 1, 28, 28]);
    expect(v.labels).toEqual(Array.from({ length: 24 }, (_, i) => i % 4));
    expect(v.source).toMatch(/t10k-images.*\(test split\)/);
    expect(loadVerifyVectors(mnistLikeCnn(), options({ data: dir, limit: 20 }), true).inputs).toHaveLength(20);
  });

  it('ONNX .pb batches of samples and labels are a data set; the model\'s own input and output tensors are test data', () => {
    const dataset = setsFolder('pb-dataset', [
      { 'input_0.pb': row(30, 64), 'output_0.pb': Tensor.fromNumbers('int64', [30], Array.from({ length: 30 }, (_, i) => i % 10)) },
    ]);
    const fromData = loadVerifyVectors(digitsMlp(), options({ data: dataset, split: 'all' }), true);
    expect(fromData.inputs).toHaveLength(30);
    expect(fromData.labels).toHaveLength(30);
    expect(fromData.expected).toBeUndefined();
    const own = setsFolder('model-test-data', [0, 1, 2].map((k) => ({ 'input_0.pb': row(1, 64, k), 'output_0.pb': row(1, 10, k) })));
    const fromOwn = loadVerifyVectors(digitsMlp(), options({ data: own }), true);
    expect(fromOwn.inputs).toHaveLength(3);
    expect(fromOwn.expected).toHaveLength(3);
    expect(fromOwn.labels).toBeUndefined();
    expect(fromOwn.source).toMatch(/3 ONNX test data set\(s\)/);
  });

  it('random vectors without --data (10, or --vectors), and FPGA targets keep 10 data vectors by default', () => {
    expect(loadVerifyVectors(digitsMlp(), options({}), true).inputs).toHaveLength(10);
    expect(loadVerifyVectors(digitsMlp(), options({ vectors: 3 }), true).inputs).toHaveLength(3);
    expect(loadVerifyVectors(digitsMlp(), options({ data: DIGITS }), false).inputs).toHaveLength(10);
  });

  it('refuses data that does not fit the model, naming the split', () => {
    expect(() => loadVerifyVectors(mnistLikeCnn(), options({ data: DIGITS }), true)).toThrow(/\(test split\) has 64 features per sample \(64\), but the model's input 'input' takes 784 per sample/);
    expect(() => loadVerifyVectors(digitsMlp(), options({ data: DIGITS, split: 'bogus' as 'test' }), true)).toThrow(/--split must be all, train, validation, test/);
  });
});
