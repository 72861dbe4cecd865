// Load a data set from CSV, NumPy (.npy features + labels) or ONNX TensorProto (.pb) pairs, by what the path is; refuse bad numbers.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import { readCsvDataset } from './csv.js';
import type { Dataset } from './dataset.js';
import { readNpy } from './npy.js';
import { checkFinite, labelProblem } from './numbers.js';
import { checkFiniteTensor, readDataFolder, TEST_DATA_FOLDERS } from './onnx-data-folder.js';
import { listFolder, statPath } from './read-file.js';

export interface LoadDatasetOptions {
  /** Labels file for .npy features (default: y.npy beside x.npy). */
  labels?: string;
}

/** Number of classes (largest label + 1); any label that is not an integer in 0 .. MAX_CLASSES - 1 is refused with its row. */
function classesOf(labels: ArrayLike<number>, where: string): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const problem = labelProblem(labels[i]);
    if (problem) throw new UserError(`${where} row ${i + 1}: label ${labels[i]} ${problem}`, 'labels are integer classes 0, 1, 2, ...');
    max = Math.max(max, labels[i]);
  }
  return max + 1;
}

const sampleSize = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function npyDataset(featuresFile: string, labelsFile: string): Dataset {
  const x = readNpy(featuresFile);
  if (x.shape.length < 2) throw new UserError(`'${featuresFile}' has shape (${x.shape.join(', ')}); expected (samples, features...)`);
  const count = x.shape[0];
  checkFinite(x.data, sampleSize(x.shape.slice(1)), `'${featuresFile}'`, 'feature');
  if (!fs.existsSync(labelsFile)) throw new UserError(`no labels for '${featuresFile}': '${labelsFile}' does not exist`, 'give the labels file with --labels');
  const y = readNpy(labelsFile);
  if (y.shape.length === 0 || y.shape[0] !== count) throw new UserError(`'${labelsFile}' has shape (${y.shape.join(', ')}), so ${y.shape[0] ?? 0} rows; '${featuresFile}' has ${count}`);
  const features = Float32Array.from(x.data);
  const featureShape = x.shape.slice(1);
  // Integer labels, one per sample (shape (n,) or (n, 1)): classification.
  if (y.integral && sampleSize(y.shape.slice(1)) === 1) {
    const classes = classesOf(y.data, `'${labelsFile}'`);
    return { features, labels: Int32Array.from(y.data), count, featureShape, classes, source: featuresFile };
  }
  // Float targets: regression.
  checkFinite(y.data, sampleSize(y.shape.slice(1)), `'${labelsFile}'`, 'target');
  return {
    features, labels: new Int32Array(count), count, featureShape, classes: 0,
    targets: Float32Array.from(y.data), targetShape: y.shape.slice(1), source: featuresFile,
  };
}

/** ONNX test-data folders: each input_0.pb holds a batch of features, output_0.pb its labels or targets. */
function tensorProtoDataset(dir: string): Dataset {
  const sets = readDataFolder(dir, Infinity, `x.npy + y.npy, or ${TEST_DATA_FOLDERS}`);
  for (const s of sets) {
    if (s.inputs.length !== 1 || s.outputs.length !== 1) {
      throw new UserError(`'${s.dir}' holds ${s.inputs.length} input and ${s.outputs.length} output tensor files; a data set needs exactly input_0.pb (features) and output_0.pb (labels or targets)`);
    }
  }
  const first = sets[0].inputs[0].tensor;
  if (first.shape.length < 2) throw new UserError(`'${sets[0].inputs[0].file}' has shape [${first.shape.join(', ')}]; expected [samples, features...]`);
  const featureShape = first.shape.slice(1);
  const count = sets.reduce((n, s) => n + s.inputs[0].tensor.shape[0], 0);
  const features = new Float32Array(count * sampleSize(featureShape));
  const labelValues: number[] = [];
  const targetValues: number[] = [];
  const integral = !isFloat(sets[0].outputs[0].tensor.dtype);
  let at = 0;
  for (const s of sets) {
    const x = s.inputs[0];
    const y = s.outputs[0];
    if (x.tensor.shape.slice(1).join() !== featureShape.join()) {
      throw new UserError(`'${x.file}' has samples of shape [${x.tensor.shape.slice(1).join(', ')}], '${sets[0].inputs[0].file}' [${featureShape.join(', ')}]: all batches need one sample shape`);
    }
    checkFiniteTensor(x);
    if (isFloat(y.tensor.dtype) === integral) throw new UserError(`'${y.file}' is ${y.tensor.dtype}, '${sets[0].outputs[0].file}' ${sets[0].outputs[0].tensor.dtype}: all labels need one type`);
    const rows = x.tensor.shape[0];
    if (y.tensor.shape[0] !== rows && !(integral && y.tensor.size === rows)) {
      throw new UserError(`'${y.file}' has shape [${y.tensor.shape.join(', ')}] for the ${rows} samples of '${x.file}'`);
    }
    features.set(Array.from(x.tensor.data as ArrayLike<number>, Number), at);
    at += x.tensor.size;
    const values = Array.from(y.tensor.data as ArrayLike<number | bigint>, Number);
    if (integral) {
      if (values.length !== rows) throw new UserError(`'${y.file}' holds ${values.length} labels for ${rows} samples`);
      classesOf(values, `'${y.file}'`);
      labelValues.push(...values);
    } else {
      if (y.tensor.shape.slice(1).join() !== sets[0].outputs[0].tensor.shape.slice(1).join()) throw new UserError(`'${y.file}' has targets of shape [${y.tensor.shape.slice(1).join(', ')}], '${sets[0].outputs[0].file}' [${sets[0].outputs[0].tensor.shape.slice(1).join(', ')}]: all batches need one target shape`);
      checkFiniteTensor(y);
      targetValues.push(...values);
    }
  }
  if (integral) {
    const labels = Int32Array.from(labelValues);
    return { features, labels, count, featureShape, classes: classesOf(labels, `'${dir}'`), source: dir };
  }
  const targets = Float32Array.from(targetValues);
  return { features, labels: new Int32Array(count), count, featureShape, classes: 0, targets, targetShape: sets[0].outputs[0].tensor.shape.slice(1), source: dir };
}

function folderDataset(dir: string, options: LoadDatasetOptions): Dataset {
  const entries = listFolder(dir, 'data folder');
  const x = ['x.npy', 'features.npy'].find((f) => entries.includes(f));
  if (x) return npyDataset(path.join(dir, x), options.labels ?? path.join(dir, x === 'x.npy' ? 'y.npy' : 'labels.npy'));
  return tensorProtoDataset(dir);
}

/** Refuse a data set with no samples, or samples without features. */
function checkNotEmpty(ds: Dataset): Dataset {
  if (ds.count === 0) throw new UserError(`data '${ds.source}' holds no samples`);
  if (sampleSize(ds.featureShape) === 0) throw new UserError(`data '${ds.source}' has samples of shape (${ds.featureShape.join(', ')}): no features`);
  return ds;
}

export function loadDataset(file: string, options: LoadDatasetOptions = {}): Dataset {
  const st = statPath(file, 'data');
  if (st.isDirectory()) return checkNotEmpty(folderDataset(file, options));
  if (/\.csv(\.gz)?$/i.test(file)) return readCsvDataset(file);
  if (/\.npy$/i.test(file)) return checkNotEmpty(npyDataset(file, options.labels ?? path.join(path.dirname(file), path.basename(file).replace(/x(?=\.npy$)/, 'y'))));
  throw new UserError(`data '${file}' is not a .csv/.csv.gz file, a .npy file, or a folder (x.npy + y.npy, or ONNX test_data_set_* folders)`);
}
