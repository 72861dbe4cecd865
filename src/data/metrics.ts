// Metrics on model outputs: top-1/top-k accuracy and cross-entropy for classification, MSE for regression.
// A sample whose outputs are not all finite (NaN, ±Infinity) is never correct, and makes the loss NaN.

export interface ClassificationMetrics {
  accuracy: number;
  topK: number;
  k: number;
  /** Mean cross-entropy (softmax applied first unless the outputs are already probabilities); NaN when an output is not finite. */
  loss: number;
  samples: number;
  /** Samples with a NaN or infinite output (counted wrong). */
  nonFinite: number;
}

function looksLikeProbabilities(row: ArrayLike<number>): boolean {
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] < 0 || row[i] > 1) return false;
    sum += row[i];
  }
  return Math.abs(sum - 1) < 1e-3;
}

function allFinite(row: ArrayLike<number>): boolean {
  for (let i = 0; i < row.length; i++) if (!Number.isFinite(row[i])) return false;
  return true;
}

/**
 * How many classes outrank the label (ties go to the lower index, as argmax does): 0 is a top-1
 * hit. A row holding NaN or ±Infinity ranks the label last (Infinity): such an output is never correct.
 */
export function labelRank(row: ArrayLike<number>, label: number): number {
  if (!allFinite(row)) return Infinity;
  const v = row[label];
  let rank = 0;
  for (let c = 0; c < row.length; c++) if (row[c] > v || (row[c] === v && c < label)) rank++;
  return rank;
}

/** `outputs` holds one row of `classes` scores per sample (logits or probabilities). */
export function classificationMetrics(outputs: Float32Array, labels: Int32Array, classes: number, k = 5): ClassificationMetrics {
  const n = labels.length;
  let correct = 0;
  let inTopK = 0;
  let loss = 0;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const row = outputs.subarray(i * classes, (i + 1) * classes);
    const label = labels[i];
    const rank = labelRank(row, label);
    if (rank === 0) correct++;
    if (rank < k) inTopK++;
    if (!allFinite(row)) {
      nonFinite++;
      loss = NaN;
      continue;
    }
    let p: number;
    if (looksLikeProbabilities(row)) p = row[label];
    else {
      let max = -Infinity;
      for (const v of row) max = Math.max(max, v);
      let sum = 0;
      for (const v of row) sum += Math.exp(v - max);
      p = Math.exp(row[label] - max) / sum;
    }
    loss -= Math.log(Math.max(p, 1e-12));
  }
  return { accuracy: correct / n, topK: inTopK / n, k, loss: loss / n, samples: n, nonFinite };
}

/** Mean squared error; NaN when an output is NaN or infinite (never a good value). */
export function meanSquaredError(outputs: Float32Array, targets: Float32Array): number {
  let s = 0;
  for (let i = 0; i < targets.length; i++) {
    if (!Number.isFinite(outputs[i])) return NaN;
    s += (outputs[i] - targets[i]) ** 2;
  }
  return s / Math.max(1, targets.length);
}

/** Samples (rows of `width`) holding a NaN or infinite output. */
export function countNonFiniteRows(outputs: Float32Array, width: number): number {
  let count = 0;
  for (let i = 0; i < outputs.length; i += width) if (!allFinite(outputs.subarray(i, i + width))) count++;
  return count;
}

/**
 * A score (accuracy, or −MSE: higher is better) as comparisons must see it: NaN is the worst
 * score there is, so a NaN candidate never wins a ranking or passes a drop limit.
 */
export function comparableScore(score: number): number {
  return Number.isNaN(score) ? -Infinity : score;
}

/** Sort order of scores, best first, NaN last. */
export function byScoreDescending(a: number, b: number): number {
  const x = comparableScore(a);
  const y = comparableScore(b);
  return x === y ? 0 : x > y ? -1 : 1;
}

/** Accuracy points lost from `reference` to `score`; a NaN on either side loses everything (+Infinity). */
export function dropInPoints(reference: number, score: number): number {
  const drop = (reference - score) * 100;
  return Number.isNaN(drop) ? Infinity : drop;
}
