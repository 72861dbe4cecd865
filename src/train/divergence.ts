// Stop training whose loss or weights stop being finite, naming the layer, epoch and batch, instead of carrying NaN on.

import { UserError } from '../errors.js';
import { countNonFinite } from '../ir/tensor.js';
import type { Trainable } from './trainable.js';

/** Fine-tuning produced NaN or infinite weights or loss: a user's problem (learning rate, data), exit 2. */
export class TrainingDivergedError extends UserError {}

export interface NonFiniteParameter {
  initializer: string;
  layer: string;
  /** The first bad value (NaN, Infinity or -Infinity) and how many of the parameter's values are bad. */
  value: number;
  count: number;
  size: number;
}

/** The first trained parameter (in the model's order) holding NaN or ±Infinity, or null. */
export function firstNonFiniteParameter(t: Trainable): NonFiniteParameter | null {
  for (const p of t.trained) {
    const data = p.variable.dataSync() as Float32Array;
    const { count, first: value } = countNonFinite(data);
    if (count > 0) return { initializer: p.binding.initializer, layer: p.binding.layer, value, count, size: data.length };
  }
  return null;
}

const describe = (p: NonFiniteParameter) => `layer '${p.layer}' (weight '${p.initializer}': ${p.count} of ${p.size} values are ${p.value})`;

/** Refuse to train a model whose weights are already NaN or infinite: the model itself is broken. */
export function checkWeightsBeforeTraining(t: Trainable): void {
  const bad = firstNonFiniteParameter(t);
  if (bad) throw new TrainingDivergedError(`the model's ${describe(bad)} before any training`, 'the model file is broken: export it again from a model whose weights are finite');
}

export interface TrainingPosition {
  epoch: number;
  epochs: number;
  /** The batch, when known (a NaN loss is seen per batch). */
  batch?: number;
  batches: number;
  learningRate: number;
}

function where(at: TrainingPosition): string {
  return `epoch ${at.epoch + 1} of ${at.epochs}${at.batch === undefined ? '' : `, batch ${at.batch + 1} of ${at.batches}`}`;
}

const hint = (at: TrainingPosition) => `lower the learning rate (--lr, now ${at.learningRate}), or check the data for extreme values`;

/** After a batch: a NaN or infinite loss stops training, naming the layer whose weights went bad when one did. */
export function checkBatchLoss(t: Trainable, loss: number, at: TrainingPosition): void {
  if (Number.isFinite(loss)) return;
  const bad = firstNonFiniteParameter(t);
  const cause = bad ? `the weights of ${describe(bad)}` : 'the weights are still finite: the activations or the loss overflowed';
  throw new TrainingDivergedError(`training diverged in ${where(at)}: the training loss is ${loss}; ${cause}`, hint(at));
}

/** After an epoch: weights that are no longer finite stop training. */
export function checkEpochWeights(t: Trainable, at: TrainingPosition): void {
  const bad = firstNonFiniteParameter(t);
  if (bad) throw new TrainingDivergedError(`training diverged in ${where(at)}: the weights of ${describe(bad)}`, hint(at));
}
