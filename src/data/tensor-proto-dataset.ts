// A data set from ONNX test-data folders: each input_0.pb holds a batch of features, output_0.pb its integer labels or float targets.

import { UserError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import type { Dataset } from './dataset.js';
import { classesOf } from './numbers.js';
import { checkFiniteTensor, readDataFolder, TEST_DATA_FOLDERS, type DataFolderSet, type TensorFile } from './onnx-data-folder.js';

const dims = (shape: number[]) => `[${shape.join(', ')}]`;
const sampleShape = (t: TensorFile) => t.tensor.shape.slice(1);

/** One set's input and output, checked against the first set's shapes and label type. */
function checkSet(s: DataFolderSet, first: DataFolderSet): { x: TensorFile; y: TensorFile } {
  if (s.inputs.length !== 1 || s.outputs.length !== 1) {
    throw new UserError(`'${s.dir}' holds ${s.inputs.length} input and ${s.outputs.length} output tensor files; a data set needs exactly input_0.pb (features) and output_0.pb (labels or targets)`);
  }
  const [x, y] = [s.inputs[0], s.outputs[0]];
  const [x0, y0] = [first.inputs[0], first.outputs[0]];
  if (x.tensor.shape.length < 2) throw new UserError(`'${x.file}' has shape ${dims(x.tensor.shape)}; expected [samples, features...]`);
  if (sampleShape(x).join() !== sampleShape(x0).join()) throw new UserError(`'${x.file}' has samples of shape ${dims(sampleShape(x))}, '${x0.file}' ${dims(sampleShape(x0))}: all batches need one sample shape`);
  if (isFloat(y.tensor.dtype) !== isFloat(y0.tensor.dtype)) throw new UserError(`'${y.file}' is ${y.tensor.dtype}, '${y0.file}' ${y0.tensor.dtype}: labels (integers) and targets (floats) cannot be mixed`);
  const rows = x.tensor.shape[0];
  if (!isFloat(y.tensor.dtype)) {
    if (y.tensor.size !== rows) throw new UserError(`'${y.file}' holds ${y.tensor.size} labels (shape ${dims(y.tensor.shape)}) for the ${rows} samples of '${x.file}'`);
  } else if (y.tensor.shape[0] !== rows || sampleShape(y).join() !== sampleShape(y0).join()) {
    throw new UserError(`'${y.file}' has targets of shape ${dims(y.tensor.shape)} for the ${rows} samples of '${x.file}' (the first batch's targets are ${dims(sampleShape(y0))} per sample)`);
  }
  checkFiniteTensor(x);
  checkFiniteTensor(y);
  return { x, y };
}

export function tensorProtoDataset(dir: string): Dataset {
  const sets = readDataFolder(dir, Infinity, `x.npy + y.npy, or ${TEST_DATA_FOLDERS}`);
  const pairs = sets.map((s) => checkSet(s, sets[0]));
  const featureShape = sampleShape(pairs[0].x);
  const count = pairs.reduce((n, p) => n + p.x.tensor.shape[0], 0);
  const features = new Float32Array(pairs.reduce((n, p) => n + p.x.tensor.size, 0));
  const ys = new Float64Array(pairs.reduce((n, p) => n + p.y.tensor.size, 0));
  let xAt = 0;
  let yAt = 0;
  for (const { x, y } of pairs) {
    const xs = x.tensor.data as ArrayLike<number | bigint>;
    for (let i = 0; i < xs.length; i++) features[xAt++] = Number(xs[i]);
    const values = y.tensor.data as ArrayLike<number | bigint>;
    if (!isFloat(y.tensor.dtype)) classesOf(Array.from(values, Number), `'${y.file}'`);
    for (let i = 0; i < values.length; i++) ys[yAt++] = Number(values[i]);
  }
  if (!isFloat(pairs[0].y.tensor.dtype)) {
    return { features, labels: Int32Array.from(ys), count, featureShape, classes: classesOf(ys, `'${dir}'`), source: dir };
  }
  return { features, labels: new Int32Array(count), count, featureShape, classes: 0, targets: Float32Array.from(ys), targetShape: sampleShape(pairs[0].y), source: dir };
}
