// Read ONNX test-data folders given as --data (test_data_set_*/input_N.pb, output_N.pb), with a clear error for every malformed one.

import path from 'node:path';
import { UserError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { readTensorFile } from '../onnx/tensor-proto.js';
import { checkFinite } from './numbers.js';
import { listFolder, MAX_DATA_FILE_BYTES, statPath } from './read-file.js';

export interface TensorFile {
  file: string;
  tensor: Tensor;
}

export interface DataFolderSet {
  dir: string;
  inputs: TensorFile[];
  outputs: TensorFile[];
}

const SET_PREFIX = 'test_data_set_';

function readTensor(file: string): TensorFile {
  const st = statPath(file, 'tensor file');
  if (!st.isFile()) throw new UserError(`tensor file '${file}' is not a regular file`);
  if (st.size > MAX_DATA_FILE_BYTES) throw new UserError(`tensor file '${file}' has ${st.size.toLocaleString('en-US')} bytes, more than the ${MAX_DATA_FILE_BYTES.toLocaleString('en-US')} edgeprune reads`);
  return { file, tensor: readTensorFile(file).tensor };
}

/** `prefix`0.pb, `prefix`1.pb, ... of a set folder, numbered without gaps. */
function numbered(dir: string, files: string[], prefix: 'input_' | 'output_'): TensorFile[] {
  const indices = files.map((f) => new RegExp(`^${prefix}(\\d+)\\.pb$`).exec(f)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  indices.forEach((n, i) => {
    if (n !== i) throw new UserError(`'${dir}' has ${indices.map((k) => `${prefix}${k}.pb`).join(', ')}: ${prefix}${i}.pb is missing`, `number the files ${prefix}0.pb, ${prefix}1.pb, ... without gaps`);
  });
  return indices.map((n) => readTensor(path.join(dir, `${prefix}${n}.pb`)));
}

function readSet(dir: string): DataFolderSet {
  const files = listFolder(dir, 'test data folder');
  const inputs = numbered(dir, files, 'input_');
  if (inputs.length === 0) throw new UserError(`test data folder '${dir}' holds no input_0.pb`, 'each test_data_set_* folder holds input_0.pb (and output_0.pb for labels or expected outputs)');
  return { dir, inputs, outputs: numbered(dir, files, 'output_') };
}

/** What a data folder may hold, for messages. */
export const TEST_DATA_FOLDERS = 'ONNX test_data_set_* folders (input_0.pb, output_0.pb)';

/**
 * The sets of an ONNX test-data folder, in name order: its test_data_set_* folders, or the folder
 * itself when it holds input_0.pb; the first `limit` of them. `expected` says what the folder
 * should hold when it holds neither.
 */
export function readDataFolder(dir: string, limit = Infinity, expected = TEST_DATA_FOLDERS): DataFolderSet[] {
  const entries = listFolder(dir, 'data folder');
  if (entries.includes('input_0.pb')) return [readSet(dir)];
  const sets = entries.filter((e) => e.startsWith(SET_PREFIX));
  if (sets.length === 0) {
    const holds = entries.length === 0 ? 'is empty' : `holds only ${entries.slice(0, 5).join(', ')}${entries.length > 5 ? `, … (${entries.length} entries)` : ''}`;
    throw new UserError(`data folder '${dir}' ${holds}; expected ${expected}`);
  }
  return sets.slice(0, limit).map((s) => {
    const setDir = path.join(dir, s);
    if (!statPath(setDir, 'test data folder').isDirectory()) throw new UserError(`'${setDir}' is a file; ${SET_PREFIX}* entries must be folders holding input_0.pb`);
    return readSet(setDir);
  });
}

/** Refuse NaN, ±Infinity and float64 values beyond float32 in a float tensor; rows are its first dimension. */
export function checkFiniteTensor(t: TensorFile): void {
  if (!isFloat(t.tensor.dtype)) return;
  const rows = t.tensor.shape.length > 1 ? t.tensor.shape[0] : 1;
  checkFinite(t.tensor.data as ArrayLike<number>, t.tensor.size / Math.max(1, rows), `tensor file '${t.file}'`);
}
