// Loss gradients with respect to every trained parameter, summed over samples, in IR layout: inputs to Taylor pruning criteria.

import * as tf from './tf.js';
import { UserError } from '../errors.js';
import { Tensor } from '../ir/tensor.js';
import { weightFromTf } from './layout.js';
import { batchInput, batchTargets, defaultLoss, forward, lossOf, type LossKind, type TrainData } from './train.js';
import type { Trainable } from './trainable.js';

export interface GradientOptions {
  /** Use the first `samples` samples of the data set, in order (default: all). */
  samples?: number;
  batchSize?: number;
  loss?: LossKind;
  /**
   * 'sum' (default): Σ_i ∂L_i/∂w over the samples, the gradient of the summed loss (signed).
   * 'abs': Σ_batches |Σ_{i ∈ batch} ∂L_i/∂w|; with batchSize 1 that is Σ_i |∂L_i/∂w|.
   */
  mode?: 'sum' | 'abs';
}

/**
 * ∂L/∂w for every trained parameter (IR initializer name → IR tensor of the initializer's shape),
 * accumulated over samples as `mode` says. L_i is sample i's training loss (see `defaultLoss`),
 * evaluated in inference mode (BatchNormalization statistics fixed). Masks are not applied:
 * pruned weights get their gradient too.
 *
 * For first-order Taylor criteria the caller multiplies by the weights: with mode 'sum', the
 * importance of a group of weights S (a filter, a neuron) is |Σ_{w∈S} w · g_w|, the first-order
 * estimate of how much the summed loss changes when S is zeroed (Molchanov et al. 2019 square it),
 * and per weight |w · g_w|. Mode 'abs' keeps per-batch magnitudes, so gradients that cancel over
 * the data set (as they do near a minimum of the training loss) still rank weights.
 */
export async function weightGradients(t: Trainable, data: TrainData, options: GradientOptions = {}): Promise<Map<string, Tensor>> {
  t.check();
  const samples = Math.min(options.samples ?? data.count, data.count);
  const batchSize = options.batchSize ?? 64;
  const loss = options.loss ?? defaultLoss(t);
  const mode = options.mode ?? 'sum';
  if (samples < 1) throw new UserError(`gradients need at least one sample ('${data.source}' has ${data.count})`);
  if (data.features.length / data.count !== t.sampleSize) {
    throw new UserError(`'${data.source}' has ${data.features.length / data.count} features per sample; the model input takes ${t.sampleSize}`);
  }
  const vars = t.trained.map((p) => p.variable);
  let acc: tf.Tensor[] = vars.map((v) => tf.zerosLike(v));
  for (let s = 0; s < samples; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, samples - s) }, (_, i) => s + i);
    const next = tf.tidy(() => {
      const x = batchInput(t, data, idx);
      const y = batchTargets(t, data, idx, loss);
      const { grads } = tf.variableGrads(() => lossOf(loss, forward(t, x), y, true), vars);
      return vars.map((v, i) => {
        const g = grads[v.name];
        return tf.add(acc[i], mode === 'abs' ? tf.abs(g) : g);
      });
    });
    tf.dispose(acc);
    acc = next;
  }
  const result = toIr(t, acc);
  tf.dispose(acc);
  return result;
}

/** Gradients (tf layout, one per trained parameter) as IR tensors by initializer name. */
function toIr(t: Trainable, grads: tf.Tensor[]): Map<string, Tensor> {
  const result = new Map<string, Tensor>();
  t.trained.forEach((p, i) => {
    const data = grads[i].dataSync() as Float32Array;
    const { layout, irShape } = p.binding;
    // A bias broadcast from one value: its gradient is the sum over the outputs it feeds.
    const value = layout.kind === 'broadcast' ? new Tensor('float32', irShape, Float32Array.of(data.reduce((a, b) => a + b, 0))) : weightFromTf(layout, data, grads[i].shape, irShape);
    result.set(p.binding.initializer, value);
  });
  return result;
}

/**
 * ∂L/∂w summed within each mini-batch of the first `samples` samples (in order, `batchSize` each): one map per batch,
 * IR layout. For Taylor criteria on activations: for a channel c made by weights w and bias b,
 * Σ_w w·∂L/∂w + b·∂L/∂b = Σ over the batch and positions of z_c·∂L/∂z_c (z_c: the layer's output for c), exactly.
 */
export async function batchWeightGradients(t: Trainable, data: TrainData, options: { samples: number; batchSize: number; loss?: LossKind }): Promise<Map<string, Tensor>[]> {
  t.check();
  const samples = Math.min(options.samples, data.count);
  const loss = options.loss ?? defaultLoss(t);
  if (samples < 1) throw new UserError(`gradients need at least one sample ('${data.source}' has ${data.count})`);
  const vars = t.trained.map((p) => p.variable);
  const out: Map<string, Tensor>[] = [];
  for (let s = 0; s < samples; s += options.batchSize) {
    const idx = Array.from({ length: Math.min(options.batchSize, samples - s) }, (_, i) => s + i);
    const grads = tf.tidy(() => {
      const x = batchInput(t, data, idx);
      const y = batchTargets(t, data, idx, loss);
      const { grads: g } = tf.variableGrads(() => lossOf(loss, forward(t, x), y, true), vars);
      return vars.map((v) => g[v.name]);
    });
    out.push(toIr(t, grads));
    tf.dispose(grads);
  }
  return out;
}
