// Load a data set from CSV, NumPy (.npy features + labels) or ONNX TensorProto (.pb) pairs, by what the path is; refuse bad numbers.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { readCsvDataset } from './csv.js';
import type { Dataset } from './dataset.js';
import { readNpy } from './npy.js';
import { checkFinite, classesOf } from './numbers.js';
import { listFolder, statPath } from './read-file.js';
import { tensorProtoDataset } from './tensor-proto-dataset.js';

export interface LoadDatasetOptions {
  /** Labels file for .npy features (default: y.npy beside x.npy). */
  labels?: string;
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
