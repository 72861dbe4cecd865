// Load a data set from CSV, NumPy (.npy features + labels) or ONNX TensorProto (.pb) pairs, by what the path is.

import fs from 'node:fs';
import path from 'node:path';
import { readTestDataSets } from '../conformance/node-tests.js';
import { UserError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { readCsvDataset } from './csv.js';
import type { Dataset } from './dataset.js';
import { readNpy } from './npy.js';

export interface LoadDatasetOptions {
  /** Labels file for .npy features (default: y.npy beside x.npy). */
  labels?: string;
}

function classesOf(labels: Int32Array, file: string): number {
  let max = -1;
  for (const l of labels) {
    if (!Number.isInteger(l) || l < 0) throw new UserError(`data '${file}' has a label ${l}; class labels must be non-negative integers`);
    max = Math.max(max, l);
  }
  return max + 1;
}

function npyDataset(featuresFile: string, labelsFile: string): Dataset {
  const x = readNpy(featuresFile);
  if (!fs.existsSync(labelsFile)) throw new UserError(`no labels for '${featuresFile}': '${labelsFile}' does not exist`, 'give the labels file with --labels');
  const y = readNpy(labelsFile);
  const count = x.shape[0];
  if (x.shape.length < 2) throw new UserError(`'${featuresFile}' has shape (${x.shape.join(', ')}); expected (samples, features...)`);
  if (y.shape[0] !== count) throw new UserError(`'${labelsFile}' has ${y.shape[0]} rows, '${featuresFile}' has ${count}`);
  const features = Float32Array.from(x.data);
  const integral = y.descr.includes('i') || y.descr.includes('u') || y.descr.includes('b');
  if (integral && y.shape.length === 1) {
    const labels = Int32Array.from(y.data);
    return { features, labels, count, featureShape: x.shape.slice(1), classes: classesOf(labels, labelsFile), source: featuresFile };
  }
  // Float targets: regression (or one-hot rows, turned into labels).
  return {
    features, labels: new Int32Array(count), count, featureShape: x.shape.slice(1), classes: 0,
    targets: Float32Array.from(y.data), targetShape: y.shape.slice(1), source: featuresFile,
  };
}

/** ONNX test-data folders: each input_0.pb holds a batch of features, output_0.pb its labels or targets. */
function tensorProtoDataset(dir: string): Dataset {
  const sets = readTestDataSets(dir);
  if (sets.length === 0) throw new UserError(`'${dir}' holds no test_data_set_* folders with input_0.pb / output_0.pb`);
  const xs: Tensor[] = [];
  const ys: Tensor[] = [];
  for (const s of sets) {
    if (s.inputs.length !== 1 || s.outputs.length < 1) throw new UserError(`'${s.dir}' must hold one input_0.pb and an output_0.pb`);
    xs.push(s.inputs[0]);
    ys.push(s.outputs[0]);
  }
  const featureShape = xs[0].shape.slice(1);
  const count = xs.reduce((n, t) => n + t.shape[0], 0);
  const features = new Float32Array(count * featureShape.reduce((a, b) => a * b, 1));
  let at = 0;
  for (const t of xs) {
    if (t.shape.slice(1).join() !== featureShape.join()) throw new UserError(`'${dir}': the input batches have different sample shapes`);
    features.set(Array.from(t.data as ArrayLike<number>, Number), at);
    at += t.size;
  }
  const integral = !isFloat(ys[0].dtype);
  if (integral) {
    const labels = Int32Array.from(ys.flatMap((t) => Array.from(t.data as ArrayLike<number | bigint>, Number)));
    if (labels.length !== count) throw new UserError(`'${dir}': ${labels.length} labels for ${count} samples`);
    return { features, labels, count, featureShape, classes: classesOf(labels, dir), source: dir };
  }
  const targets = Float32Array.from(ys.flatMap((t) => Array.from(t.data as Float32Array)));
  return { features, labels: new Int32Array(count), count, featureShape, classes: 0, targets, targetShape: ys[0].shape.slice(1), source: dir };
}

export function loadDataset(file: string, options: LoadDatasetOptions = {}): Dataset {
  if (!fs.existsSync(file)) throw new UserError(`data '${file}' does not exist`);
  if (fs.statSync(file).isDirectory()) {
    const x = ['x.npy', 'features.npy'].map((f) => path.join(file, f)).find((f) => fs.existsSync(f));
    if (x) return npyDataset(x, options.labels ?? path.join(file, x.endsWith('x.npy') ? 'y.npy' : 'labels.npy'));
    return tensorProtoDataset(file);
  }
  if (/\.csv(\.gz)?$/i.test(file)) return readCsvDataset(file);
  if (/\.npy$/i.test(file)) return npyDataset(file, options.labels ?? path.join(path.dirname(file), path.basename(file).replace(/x(?=\.npy$)/, 'y')));
  throw new UserError(`data '${file}' is not a .csv/.csv.gz file, a .npy file, or a folder (x.npy + y.npy, or ONNX test_data_set_* folders)`);
}
