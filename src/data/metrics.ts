// Metrics on model outputs: top-1/top-k accuracy and cross-entropy for classification, MSE for regression.

export interface ClassificationMetrics {
  accuracy: number;
  topK: number;
  k: number;
  /** Mean cross-entropy (softmax applied first unless the outputs are already probabilities). */
  loss: number;
  samples: number;
}

function looksLikeProbabilities(row: ArrayLike<number>): boolean {
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] < 0 || row[i] > 1) return false;
    sum += row[i];
  }
  return Math.abs(sum - 1) < 1e-3;
}

/** `outputs` holds one row of `classes` scores per sample (logits or probabilities). */
export function classificationMetrics(outputs: Float32Array, labels: Int32Array, classes: number, k = 5): ClassificationMetrics {
  const n = labels.length;
  let correct = 0;
  let inTopK = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = outputs.subarray(i * classes, (i + 1) * classes);
    const label = labels[i];
    let rank = 0;
    for (let c = 0; c < classes; c++) if (row[c] > row[label] || (row[c] === row[label] && c < label)) rank++;
    if (rank === 0) correct++;
    if (rank < k) inTopK++;
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
  return { accuracy: correct / n, topK: inTopK / n, k, loss: loss / n, samples: n };
}

export function meanSquaredError(outputs: Float32Array, targets: Float32Array): number {
  let s = 0;
  for (let i = 0; i < targets.length; i++) s += (outputs[i] - targets[i]) ** 2;
  return s / Math.max(1, targets.length);
}
