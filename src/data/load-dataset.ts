// Load a data set from CSV, NumPy (.npy features + labels), IDX (MNIST family) or ONNX TensorProto (.pb) pairs, by what the path is; refuse bad numbers.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { readCsvDataset } from './csv.js';
import type { Dataset } from './dataset.js';
import { idxDataset, isIdxName } from './idx.js';
import { readNpy } from './npy.js';
import { checkFinite, classesOf } from './numbers.js';
import { listFolder, statPath } from './read-file.js';
import { tensorProtoDataset } from './tensor-proto-dataset.js';

export interface LoadDatasetOptions {
  /** Labels file for .npy features (default: y.npy beside x.npy) or IDX images (default: the labels file beside them). */
  labels?: string;
}

/** A data set, and the test set that comes with it (an IDX folder's t10k files) when there is one. */
export interface LoadedData {
  data: Dataset;
  /** Fixed test samples: when present, commands test on these instead of splitting a test part off `data`. */
  test?: Dataset;
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

/** The images file of one part (train, t10k) of an IDX folder, plain preferred over gzipped when both are there. */
function idxImages(dir: string, entries: string[], part: 'train' | 't10k'): string | undefined {
  const name = [`${part}-images-idx3-ubyte`, `${part}-images.idx3-ubyte`].flatMap((n) => [n, `${n}.gz`]).find((n) => entries.includes(n));
  return name === undefined ? undefined : path.join(dir, name);
}

/** An IDX folder (MNIST's four files): the train files are the data set, the t10k files its test set. */
function idxFolder(dir: string, entries: string[], options: LoadDatasetOptions): LoadedData | undefined {
  const train = idxImages(dir, entries, 'train');
  const test = idxImages(dir, entries, 't10k');
  if (!train && !test) return undefined;
  if (!train) throw new UserError(`data folder '${dir}' holds ${path.basename(test!)} but no train-images-idx3-ubyte(.gz)`, 'give the images file itself as --data to use it alone');
  if (options.labels) throw new UserError(`--labels takes the labels of one images file; data folder '${dir}' holds its own (train-labels-*, t10k-labels-*)`, `give --data ${train} --labels <file>, or drop --labels`);
  const data = idxDataset(train);
  if (!test) return { data };
  const fixed = idxDataset(test);
  if (fixed.featureShape.join('x') !== data.featureShape.join('x')) {
    throw new UserError(`'${test}' has samples of ${fixed.featureShape.join('x')}, '${train}' of ${data.featureShape.join('x')}`, 'the t10k files must be the test set of the train files');
  }
  const classes = Math.max(data.classes, fixed.classes);
  return { data: { ...data, classes }, test: { ...fixed, classes, part: 'test' } };
}

function folderData(dir: string, options: LoadDatasetOptions): LoadedData {
  const entries = listFolder(dir, 'data folder');
  const x = ['x.npy', 'features.npy'].find((f) => entries.includes(f));
  if (x) return { data: npyDataset(path.join(dir, x), options.labels ?? path.join(dir, x === 'x.npy' ? 'y.npy' : 'labels.npy')) };
  const idx = idxFolder(dir, entries, options);
  if (idx) return idx;
  refuseLabels(options, `data folder '${dir}' holds ONNX test_data_set_* folders, whose output_0.pb files are the labels`);
  return { data: tensorProtoDataset(dir) };
}

/** --labels names the labels of .npy features or IDX images; data that holds its own labels refuses it (it would be ignored). */
function refuseLabels(options: LoadDatasetOptions, what: string): void {
  if (options.labels !== undefined) throw new UserError(`--labels '${options.labels}' does not apply: ${what}`, '--labels is for .npy features and IDX images; drop it');
}

/** Refuse a data set with no samples, or samples without features. */
function checkNotEmpty(ds: Dataset): Dataset {
  if (ds.count === 0) throw new UserError(`data '${ds.source}' holds no samples`);
  if (sampleSize(ds.featureShape) === 0) throw new UserError(`data '${ds.source}' has samples of shape (${ds.featureShape.join(', ')}): no features`);
  return ds;
}

/** The data set at `file` and, for an IDX folder with t10k files, its fixed test set. */
export function loadData(file: string, options: LoadDatasetOptions = {}): LoadedData {
  const st = statPath(file, 'data');
  if (st.isDirectory()) {
    const loaded = folderData(file, options);
    return { data: checkNotEmpty(loaded.data), test: loaded.test && checkNotEmpty(loaded.test) };
  }
  if (/\.csv(\.gz)?$/i.test(file)) {
    refuseLabels(options, `data '${file}' is a CSV file, whose last column holds the labels`);
    return { data: readCsvDataset(file) };
  }
  if (/\.npy$/i.test(file)) return { data: checkNotEmpty(npyDataset(file, options.labels ?? path.join(path.dirname(file), path.basename(file).replace(/x(?=\.npy$)/, 'y')))) };
  if (isIdxName(file)) return { data: idxDataset(file, options.labels) };
  throw new UserError(`data '${file}' is not a .csv/.csv.gz file, a .npy file, an IDX file (train-images-idx3-ubyte.gz), or a folder (x.npy + y.npy, the four MNIST IDX files, or ONNX test_data_set_* folders)`);
}

/** The data set at `file` (of an IDX folder: the train files; its t10k test set is `loadData`'s `test`). */
export function loadDataset(file: string, options: LoadDatasetOptions = {}): Dataset {
  return loadData(file, options).data;
}
