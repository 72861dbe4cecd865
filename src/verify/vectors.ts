// Input vectors for verification: ONNX test-data folders, a CSV data set, or seeded random inputs.

import { readCsvDataset } from '../data/csv.js';
import { checkFiniteTensor, readDataFolder } from '../data/onnx-data-folder.js';
import { statPath } from '../data/read-file.js';
import { UserError } from '../errors.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { sampleTensors } from '../data/dataset.js';
import { sameShape, shapeSize, shapeToString, Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';

export interface VectorSet {
  /** Per vector, one tensor per graph input. */
  inputs: Tensor[][];
  /** Per vector, the expected outputs when the data gives them (ONNX test data). */
  expected?: Tensor[][];
  /** Per vector, its class label when the data gives one (a CSV of features and label). */
  labels?: number[];
  /** Where the vectors came from, for reports. */
  source: string;
}

export interface VectorOptions {
  /** A folder of test_data_set_* folders, one such folder, or a CSV file (non-finite inputs are refused). */
  data?: string;
  /** How many vectors at most (random: exactly this many). */
  count: number;
  seed: number;
}

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

function onnxTestData(g: Graph, dir: string, count: number): VectorSet {
  const chosen = readDataFolder(dir, count);
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

function csvVectors(g: Graph, file: string, count: number): VectorSet {
  if (g.inputs.length !== 1) throw new UserError(`CSV data feeds one input; the model has ${g.inputs.length}`);
  const info = staticInfo(g, g.inputs[0].name);
  const ds = readCsvDataset(file);
  const width = ds.featureShape[0];
  if (width !== shapeSize(info.shape)) {
    throw new UserError(`data file '${file}' has ${width} features per row, the model's input '${info.name}' takes ${shapeSize(info.shape)} (${shapeToString(info.shape)})`);
  }
  const n = Math.min(count, ds.count);
  const inputs = sampleTensors(ds, Array.from({ length: n }, (_, r) => r), info.shape).map((t) => [t]);
  const labels = ds.targets ? undefined : Array.from(ds.labels.subarray(0, n));
  return { inputs, labels, source: `${n} rows of ${file}` };
}

export function loadVectors(g: Graph, options: VectorOptions): VectorSet {
  if (!Number.isInteger(options.count) || options.count < 1) throw new UserError(`--vectors must be a positive integer, got ${options.count}`);
  if (!options.data) return randomVectors(g, options.count, options.seed);
  const data = options.data;
  if (statPath(data, '--data').isDirectory()) return onnxTestData(g, data, options.count);
  if (/\.csv(\.gz)?$/i.test(data)) return csvVectors(g, data, options.count);
  throw new UserError(`--data '${data}' is neither a folder of ONNX test data nor a .csv/.csv.gz file`);
}
