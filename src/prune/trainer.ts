// What the pruning loop needs from training: fine-tune under masks, evaluate, and weight gradients.

import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { Masks } from './weight-masks.js';
import type { LearningRateSchedule } from '../train/train.js';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
}

export interface Trainer {
  /** Whether the graph can be fine-tuned (else pruning runs without fine-tuning, with a warning). */
  canTrain(g: Graph): { ok: true } | { ok: false; reason: string };
  /**
   * Train `epochs` epochs on the training set; masked weights stay exactly zero. Returns the trained graph. `seed`:
   * the shuffling seed of this call (without it the trainer picks its next one). `schedule`: the learning rate over
   * the call (default constant; 'cosine' anneals it, as the search's long fine-tunes do with --anneal).
   * `averageLastEpochs`: return the mean of the weights at the ends of the last that-many epochs (build's
   * --average-epochs; default 0: the last iterate).
   */
  fineTune(g: Graph, masks: Masks | undefined, epochs: number, onProgress?: (p: EpochProgress) => void, seed?: number, schedule?: LearningRateSchedule, averageLastEpochs?: number): Promise<Graph>;
  /** Top-1 accuracy in [0, 1] for classification; −MSE for regression (higher is better either way). */
  score(g: Graph, ds: Dataset): Promise<number>;
  /**
   * The score and the mean training loss (cross-entropy; MSE for regression) in one pass. The budget search ranks
   * proposals by the loss when the trainer offers it: on a few hundred samples it moves smoothly where accuracy
   * moves a sample at a time.
   */
  assess?(g: Graph, ds: Dataset): Promise<{ score: number; loss: number }>;
  /** Weight gradients of the loss, summed over a sample of the training set (IR layout), for Taylor scores. */
  gradients(g: Graph, samples: number): Promise<Map<string, Tensor>>;
  /** Weight gradients summed within each mini-batch of the first `samples` training samples, for Taylor × activation. */
  batchGradients(g: Graph, samples: number, batchSize: number): Promise<Map<string, Tensor>[]>;
  dispose(): void;
}

/** The validation score and, when the trainer gives it, the loss: what recoveryHelped and the loss ranking decide on. */
export async function assessOn(trainer: Trainer, g: Graph, ds: Dataset): Promise<{ validation: number; loss?: number }> {
  if (!trainer.assess) return { validation: await trainer.score(g, ds) };
  const a = await trainer.assess(g, ds);
  return { validation: a.score, loss: a.loss };
}
