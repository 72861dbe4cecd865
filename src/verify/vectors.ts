// Input vectors for verification: the model's own ONNX test data (inputs and expected outputs), a data set's samples
// with their labels (any format --data takes: CSV, NPY, IDX, ONNX .pb batches), or seeded random inputs.

import { checkFiniteTensor, readDataFolder, type DataFolderSet } from '../data/onnx-data-folder.js';
import { statPath } from '../data/read-file.js';
import { loadDataset } from '../data/load-dataset.js';
import type { Dataset } from '../data/dataset.js';
import { UserError } from '../errors.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { sameShape, shapeSize, shapeToString, Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import { datasetVectors } from './dataset-vectors.js';

export interface VectorSet {
  /** Per vector, one tensor per graph input. */
  inputs: Tensor[][];
  /** Per vector, the expected outputs when the data gives them (ONNX test data). */
  expected?: Tensor[][];
  /** Per vector, its class label when the data gives one (a classification data set). */
  labels?: number[];
  /** Where the vectors came from, for reports. */
  source: string;
}

export interface VectorOptions {
  /**
   * The model's ONNX test data (a folder of test_data_set_* folders, or one, whose tensors are the model's inputs and
   * outputs), or a data set in any format `loadData` reads (non-finite inputs are refused).
   */
  data?: string;
  /** How many vectors at most (default: every one of the data; random vectors: exactly this many, default 10). */
  count?: number;
  seed: number;
  /** Which samples of a data set are verified on (the CLI: the test split, as build and eval have it); default: all. */
  pickData?: (file: string) => Dataset;
}

/** Random vectors when no count is given. */
export const DEFAULT_RANDOM_VECTORS = 10;

function randomVectors(g: Graph, count: number, seed: number): VectorSet {
  const rng = new Random(seed);
  const inputs = Array.from({ length: count }, () =>
    g.inputs.map((v) => {
      const info = staticInfo(g, v.name);
      if (info.dtype !== 'float32') throw new UserError(`input '${v.name}' is ${info.dtype}; random vectors are float32 only, give --data`);
      return Tensor.fromNumbers('float32', info.shape, Array.from({ length: shapeSize(info.shape) }, () => rng.uniform(-1, 1)));
    }),
  );
  return { inputs, source: `${count} seeded random vectors (seed ${seed}, uniform in [-1, 1])` };
}

function checkAgainstModel(g: Graph, inputs: Tensor[], where: string): void {
  if (inputs.length !== g.inputs.length) throw new UserError(`${where} has ${inputs.length} inputs, the model takes ${g.inputs.length}`);
  g.inputs.forEach((v, i) => {
    const want = staticInfo(g, v.name);
    const got = inputs[i];
    if (got.dtype !== want.dtype || !sameShape(got.shape, want.shape)) {
      throw new UserError(`${where}: input ${i} is ${got.dtype} ${shapeToString(got.shape)}, the model's '${v.name}' is ${want.dtype} ${shapeToString(want.shape)}`);
    }
  });
}

/** The sets' tensors are the model's inputs (and, when given, its outputs) exactly: the model's own test data. */
function isModelTestData(g: Graph, s: DataFolderSet): boolean {
  const fits = (tensors: { tensor: Tensor }[], values: { name: string }[]) => tensors.length === values.length && tensors.every(({ tensor }, i) => {
    const want = staticInfo(g, values[i].name);
    return tensor.dtype === want.dtype && sameShape(tensor.shape, want.shape);
  });
  return fits(s.inputs, g.inputs) && (s.outputs.length === 0 || fits(s.outputs, g.outputs));
}

function onnxTestData(g: Graph, dir: string, chosen: DataFolderSet[]): VectorSet {
  for (const s of chosen) {
    // Non-finite inputs are refused like the data loader does (docs/numerics.md): the C kernels and the interpreter need not agree on them.
    s.inputs.forEach(checkFiniteTensor);
    checkAgainstModel(g, s.inputs.map((t) => t.tensor), `'${s.dir}'`);
  }
  return {
    inputs: chosen.map((s) => s.inputs.map((t) => t.tensor)),
    expected: chosen.map((s) => s.outputs.map((t) => t.tensor)),
    source: `${chosen.length} ONNX test data set(s) in ${dir}`,
  };
}

/** A folder of ONNX test data whose first set is the model's inputs and outputs: its sets (at most `count`), else null. */
function modelTestData(g: Graph, dir: string, count: number): VectorSet | null {
  let first: DataFolderSet[];
  try {
    first = readDataFolder(dir, 1);
  } catch (e) {
    if (e instanceof UserError) return null; // not ONNX test data: a data set folder (NPY, IDX), or a malformed one loadData names
    throw e;
  }
  if (first.length === 0 || !isModelTestData(g, first[0])) return null;
  return onnxTestData(g, dir, readDataFolder(dir, count));
}

export function loadVectors(g: Graph, options: VectorOptions): VectorSet {
  const count = options.count;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new UserError(`--vectors must be a positive integer, got ${count}`);
  if (!options.data) return randomVectors(g, count ?? DEFAULT_RANDOM_VECTORS, options.seed);
  const data = options.data;
  if (statPath(data, '--data').isDirectory()) {
    const own = modelTestData(g, data, count ?? Infinity);
    if (own) return own;
  }
  const pick = options.pickData ?? ((file: string) => loadDataset(file));
  return datasetVectors(g, pick(data), count);
}
