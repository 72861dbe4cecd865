// On-target accuracy (as X-CUBE-AI's validate gives it): the firmware's top-1 accuracy on labelled vectors next to the
// interpreter's on the same vectors, how often both pick the same class, and their largest output difference.

import { labelRank } from '../data/metrics.js';
import { UserError } from '../errors.js';
import { maxAbsDiff } from '../conformance/compare.js';
import type { Tensor } from '../ir/tensor.js';

export interface OnTargetAccuracy {
  /** Vectors run (and labelled: every vector of a classification data set has its label). */
  vectors: number;
  /** Top-1 accuracy of the outputs the target computed. */
  onTarget: number;
  /** Top-1 accuracy of the reference interpreter's outputs on the same vectors. */
  interpreter: number;
  /** Share of the vectors whose top-1 class on the target is the interpreter's. */
  agreement: number;
  /** Largest |target − interpreter| over the first output of every vector. */
  maxAbsDiff: number;
}

/** The class a model output names: the index it holds (an ArgMax's int64), or its largest score (-1 when not all finite). */
export function topClass(t: Tensor): number {
  if (t.dtype === 'int64' && t.size === 1) return Number(t.at(0));
  const row = t.data as ArrayLike<number>;
  let best = -1;
  for (let i = 0; i < row.length; i++) {
    if (!Number.isFinite(row[i])) return -1;
    if (best < 0 || row[i] > row[best]) best = i;
  }
  return best;
}

/** The output names `label` as its top-1 class (ties to the lower index, as eval scores them; non-finite never does). */
function correct(t: Tensor, label: number): boolean {
  if (t.dtype === 'int64' && t.size === 1) return Number(t.at(0)) === label;
  return labelRank(t.data as ArrayLike<number>, label) === 0;
}

/**
 * Compare per vector the first output the target computed with the interpreter's, against the vectors' class labels.
 * Null when there are no labels (random vectors, ONNX test data, a regression data set) or no vectors.
 */
export function onTargetAccuracy(labels: readonly number[] | undefined, target: readonly Tensor[], interpreter: readonly Tensor[]): OnTargetAccuracy | null {
  if (!labels || labels.length === 0) return null;
  if (labels.length !== target.length || labels.length !== interpreter.length) {
    throw new Error(`on-target accuracy: ${labels.length} labels for ${target.length} target and ${interpreter.length} interpreter outputs`);
  }
  let onTarget = 0;
  let reference = 0;
  let agree = 0;
  let diff = 0;
  labels.forEach((label, v) => {
    const [ours, theirs] = [target[v], interpreter[v]];
    const classes = ours.dtype === 'int64' && ours.size === 1 ? Infinity : ours.size;
    if (label >= classes) throw new UserError(`vector ${v} has label ${label}, but the model's first output scores ${ours.size} classes`, 'give data whose labels are the model\'s classes');
    if (correct(ours, label)) onTarget++;
    if (correct(theirs, label)) reference++;
    if (topClass(ours) === topClass(theirs)) agree++;
    diff = Math.max(diff, maxAbsDiff(ours, theirs));
  });
  const n = labels.length;
  return { vectors: n, onTarget: onTarget / n, interpreter: reference / n, agreement: agree / n, maxAbsDiff: diff };
}
