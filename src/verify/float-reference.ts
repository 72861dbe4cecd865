// A quantized model's firmware against the float model it came from: top-1 agreement, largest difference, and the
// accuracy of both on labelled vectors (verify --float-model).

import { modelPrecision } from '../analysis/model-precision.js';
import { labelRank } from '../data/metrics.js';
import { UserError } from '../errors.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import { sameShape, shapeToString, type Tensor } from '../ir/tensor.js';
import { maxAbsDiff } from '../conformance/compare.js';
import type { VectorSet } from './vectors.js';

export interface FloatReference {
  graph: Graph;
  /** How messages and reports name it (the file's display name). */
  name: string;
}

export interface FloatReferenceReport {
  model: string;
  vectors: number;
  /** Share of vectors whose top-1 class (output 0) is the float model's; null when output 0 holds one value (not classes). */
  top1Agreement: number | null;
  /** Largest |firmware output − float model output| over every output. */
  maxAbsDiff: number;
  /** Vectors with a class label (CSV data). */
  labelled: number;
  /** Top-1 accuracy on the labelled vectors: the firmware's (int8), the float model's (interpreter), and the drop in points. */
  accuracy: { int8: number; float: number; dropPoints: number } | null;
}

/** Refuse a float reference that is quantized, or whose inputs and outputs do not match the quantized model's. */
export function checkFloatReference(quantized: Graph, ref: FloatReference): void {
  const flag = `--float-model '${ref.name}'`;
  if (modelPrecision(quantized).precision !== 'int8') {
    throw new UserError(`${flag}: the model verified is not quantized`, 'the float model is a reference for a quantized (int8) model; drop --float-model');
  }
  const refPrecision = modelPrecision(ref.graph);
  if (refPrecision.precision === 'int8') {
    throw new UserError(`${flag} is quantized (node '${refPrecision.firstInt8Node?.name ?? ''}' computes int8 values)`, 'give the float model the int8 model was quantized from');
  }
  const sides = [['input', quantized.inputs, ref.graph.inputs], ['output', quantized.outputs, ref.graph.outputs]] as const;
  for (const [kind, ours, theirs] of sides) {
    if (ours.length !== theirs.length) throw new UserError(`${flag} has ${theirs.length} ${kind}s, the quantized model ${ours.length}`, 'give the float model the int8 model was quantized from');
    ours.forEach((v, i) => {
      const a = staticInfo(quantized, v.name);
      const b = staticInfo(ref.graph, theirs[i].name);
      if (a.dtype !== b.dtype || !sameShape(a.shape, b.shape)) {
        throw new UserError(
          `${flag}: its ${kind} ${i} '${b.name}' is ${b.dtype} ${shapeToString(b.shape)}, the quantized model's '${a.name}' is ${a.dtype} ${shapeToString(a.shape)}`,
          'give the float model the int8 model was quantized from',
        );
      }
    });
  }
}

/** Index of the largest score (the first on ties), or -1 when a score is not finite. */
function top1(row: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < row.length; i++) {
    if (!Number.isFinite(row[i])) return -1;
    if (best < 0 || row[i] > row[best]) best = i;
  }
  return best;
}

/**
 * Compare the firmware's outputs (per vector, one tensor per graph output) with the float model run by the interpreter
 * on the same inputs. Class labels, when the vectors have them, give both accuracies. A model whose output is a class
 * index (int64, from an ArgMax) is compared class for class.
 */
export function compareWithFloat(ref: FloatReference, vectors: VectorSet, outputs: readonly (readonly Tensor[])[]): FloatReferenceReport {
  let agree = 0;
  let maxDiff = 0;
  let int8Correct = 0;
  let floatCorrect = 0;
  let labelled = 0;
  let classes = true;
  vectors.inputs.forEach((inputs, v) => {
    const feeds: Record<string, Tensor> = {};
    ref.graph.inputs.forEach((input, i) => (feeds[input.name] = inputs[i]));
    const result = runGraph(ref.graph, feeds);
    const floats = ref.graph.outputs.map((o) => result.get(o.name)!);
    floats.forEach((f, k) => (maxDiff = Math.max(maxDiff, maxAbsDiff(outputs[v][k], f))));
    if (floats[0].dtype === 'int64' && floats[0].size === 1) {
      // A class index (a classifier ending in ArgMax): the classes themselves are compared.
      const ourClass = Number(outputs[v][0].at(0));
      const theirClass = Number(floats[0].at(0));
      if (ourClass === theirClass) agree++;
      const label = vectors.labels?.[v];
      if (label !== undefined) {
        labelled++;
        if (ourClass === label) int8Correct++;
        if (theirClass === label) floatCorrect++;
      }
      return;
    }
    const ours = outputs[v][0].data as ArrayLike<number>;
    const theirs = floats[0].data as ArrayLike<number>;
    classes &&= theirs.length > 1;
    const floatTop = top1(theirs);
    if (floatTop >= 0 && labelRank(ours, floatTop) === 0) agree++;
    const label = vectors.labels?.[v];
    if (label !== undefined && classes) {
      if (label >= ours.length) throw new UserError(`vector ${v} of ${vectors.source} has label ${label}, but the model's output '${ref.graph.outputs[0].name}' scores ${ours.length} classes`, 'give data whose labels are the model\'s classes');
      labelled++;
      if (labelRank(ours, label) === 0) int8Correct++;
      if (labelRank(theirs, label) === 0) floatCorrect++;
    }
  });
  const n = vectors.inputs.length;
  const accuracy = labelled > 0 && classes
    ? { int8: int8Correct / labelled, float: floatCorrect / labelled, dropPoints: ((floatCorrect - int8Correct) / labelled) * 100 }
    : null;
  return { model: ref.name, vectors: n, top1Agreement: classes && n > 0 ? agree / n : null, maxAbsDiff: maxDiff, labelled: classes ? labelled : 0, accuracy };
}
