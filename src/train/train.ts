// The training loop (variableGrads + applyGradients over a Dataset, masks kept), evaluation and prediction.

import * as tf from './tf.js';
import type { Dataset } from '../data/dataset.js';
import { labelRank } from '../data/metrics.js';
import { checkFinite } from '../data/numbers.js';
import { UserError } from '../errors.js';
import { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import { trainingRuntime } from './backend.js';
import { checkBatchLoss, checkEpochWeights, checkWeightsBeforeTraining } from './divergence.js';
import { applyMasks, type OptimizerKind, type Trainable } from './trainable.js';
import { averagedEpoch, weightAverage } from './weight-average.js';

/**
 * softmax-crossentropy: the model ends in logits (softmax applied inside the loss);
 * crossentropy: the model ends in Softmax (categorical cross-entropy on the probabilities);
 * mse: mean squared error against `targets`, else the one-hot labels (the label itself for one output).
 */
export type LossKind = 'softmax-crossentropy' | 'crossentropy' | 'mse';

/** A Dataset, optionally with float regression targets (count × output size) for the mse loss. */
export type TrainData = Dataset & { targets?: Float32Array };

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  /** Mean loss of this batch. */
  loss: number;
  /** The learning rate this batch's step used. */
  learningRate: number;
  elapsedMs: number;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  elapsedMs: number;
  /** Milliseconds this epoch took. */
  epochMs: number;
  validation?: Evaluation;
}

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: OptimizerKind;
  /** Default: from the model's last op (Softmax → crossentropy, else softmax-crossentropy; one output → mse). */
  loss?: LossKind;
  /** Shuffling seed (default: initTraining's seed). Epoch e shuffles with the e-th draw of one generator. */
  seed?: number;
  shuffle?: boolean;
  /** Evaluated after every epoch and passed to onEpoch. */
  validation?: TrainData;
  /** Start from fresh optimizer state instead of continuing the previous call's. */
  resetOptimizer?: boolean;
  /** Knowledge distillation (classification): the teacher's logits on every training sample, and how to mix them in. */
  teacher?: Teacher;
  /** How the learning rate moves over the call's batches (default 'constant'; see learningRateAt). */
  schedule?: LearningRateSchedule;
  /**
   * Average the trained parameters over the ends of the last this-many epochs (SWA-style, src/train/weight-average.ts)
   * and return the model with the mean (default 0: the last iterate). More than `epochs`: every epoch.
   */
  averageLastEpochs?: number;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (p: EpochProgress) => void | Promise<void>;
}

export interface TrainResult {
  epochs: EpochProgress[];
  elapsedMs: number;
  loss: LossKind;
}

export interface Evaluation {
  /** Fraction of samples whose largest output is the label. */
  accuracy: number;
  /** Fraction whose label is among the k largest outputs. */
  topKAccuracy: number;
  k: number;
  /** Mean loss per sample, with the loss `train` would use. */
  loss: number;
  samples: number;
}

const DEFAULTS = { epochs: 10, batchSize: 32, learningRate: 1e-3 };

/** Soft targets (Hinton et al., 2015): loss = α·CE(hard) + (1 − α)·T²·KL(softmax(teacher/T) ‖ softmax(student/T)). */
export interface Teacher {
  /** Teacher logits, count × outputs, in the training set's sample order. */
  logits: Float32Array;
  temperature: number;
  alpha: number;
}

/** The student's logits: its output, or the log of its probabilities when it ends in Softmax. */
function studentLogits(kind: LossKind, out: tf.Tensor2D): tf.Tensor2D {
  return kind === 'crossentropy' ? tf.log(tf.clipByValue(out, 1e-7, 1)) : out;
}

/** The distillation loss of a batch (mean over samples); `teacherLogits` [n, outputs]. */
export function distillationLoss(kind: LossKind, out: tf.Tensor2D, target: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperature: number, alpha: number): tf.Scalar {
  return tf.tidy(() => {
    const hard = lossOf(kind, out, target);
    const t = temperature;
    const p = tf.softmax(tf.div(teacherLogits, t));
    const logP = tf.logSoftmax(tf.div(teacherLogits, t));
    const logQ = tf.logSoftmax(tf.div(studentLogits(kind, out), t));
    const kl = tf.mean(tf.sum(tf.mul(p, tf.sub(logP, logQ)), -1));
    return tf.add(tf.mul(alpha, hard), tf.mul((1 - alpha) * t * t, kl)) as tf.Scalar;
  });
}

/** The loss a model trains with unless told otherwise. */
export function defaultLoss(t: Trainable): LossKind {
  if (t.outputKind === 'probabilities') return 'crossentropy';
  return t.outputSize === 1 ? 'mse' : 'softmax-crossentropy';
}

/** Check that a data set fits the model: sample size, labels within the outputs, targets. */
function checkData(t: Trainable, ds: TrainData, loss: LossKind, what: string): void {
  if (ds.count === 0) throw new UserError(`${what} '${ds.source}' has no samples`);
  const width = ds.features.length / ds.count;
  if (width !== t.sampleSize) {
    throw new UserError(`${what} '${ds.source}' has ${width} features per sample (${ds.featureShape.join('x')}); the model input ${t.inputShape.join('x')} takes ${t.sampleSize}`);
  }
  const name = `${what} '${ds.source}'${ds.part ? ` (${ds.part} split)` : ''}`;
  checkFinite(ds.features, width, name, 'feature');
  if (ds.targets) {
    checkFinite(ds.targets, ds.targets.length / ds.count, name, 'target');
    if (ds.targets.length !== ds.count * t.outputSize) throw new UserError(`${what} '${ds.source}' has ${ds.targets.length / ds.count} targets per sample; the model has ${t.outputSize} outputs`);
    return;
  }
  if (loss === 'mse' && t.outputSize === 1) return;
  let maxLabel = 0;
  for (const l of ds.labels) maxLabel = Math.max(maxLabel, l);
  if (maxLabel >= t.outputSize) throw new UserError(`${what} '${ds.source}' has label ${maxLabel}, but the model has only ${t.outputSize} outputs`);
}

/** Features of the given samples as one input batch (IR layout; the model permutes inside). */
export function batchInput(t: Trainable, ds: Dataset, indices: ArrayLike<number>): tf.Tensor {
  const size = t.sampleSize;
  const buf = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) buf.set(ds.features.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
  return tf.tensor(buf, [indices.length, ...t.inputShape], 'float32');
}

/** Targets of the given samples: [n, outputs]. */
export function batchTargets(t: Trainable, ds: TrainData, indices: ArrayLike<number>, loss: LossKind): tf.Tensor2D {
  const k = t.outputSize;
  const buf = new Float32Array(indices.length * k);
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i];
    if (ds.targets) buf.set(ds.targets.subarray(s * k, (s + 1) * k), i * k);
    else if (loss === 'mse' && k === 1) buf[i] = ds.labels[s];
    else buf[i * k + ds.labels[s]] = 1;
  }
  return tf.tensor2d(buf, [indices.length, k]);
}

/** The teacher's logits of the given samples: [n, outputs]. */
function teacherBatch(teacher: Teacher, indices: ArrayLike<number>, k: number): tf.Tensor2D {
  const buf = new Float32Array(indices.length * k);
  for (let i = 0; i < indices.length; i++) buf.set(teacher.logits.subarray(indices[i] * k, (indices[i] + 1) * k), i * k);
  return tf.tensor2d(buf, [indices.length, k]);
}

/** Model output flattened to [n, outputs]. */
export function forward(t: Trainable, x: tf.Tensor): tf.Tensor2D {
  const y = t.model.apply(x, { training: false }) as tf.Tensor;
  return y.rank === 2 ? (y as tf.Tensor2D) : tf.reshape(y, [y.shape[0], t.outputSize]);
}

/** Mean loss of a batch (or the sum with `sum`). */
export function lossOf(kind: LossKind, out: tf.Tensor2D, target: tf.Tensor2D, sum = false): tf.Scalar {
  let perSample: tf.Tensor;
  if (kind === 'softmax-crossentropy') {
    perSample = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(out)), -1));
  } else if (kind === 'crossentropy') {
    perSample = tf.neg(tf.sum(tf.mul(target, tf.log(tf.clipByValue(out, 1e-7, 1))), -1));
  } else {
    perSample = tf.mean(tf.square(tf.sub(out, target)), -1);
  }
  return sum ? tf.sum(perSample) : tf.mean(perSample);
}

/**
 * 'constant': the learning rate at every batch. 'cosine': from the learning rate down to COSINE_FLOOR of it along half a
 * cosine over the call's batches, so that a long fine-tune ends on small steps that settle the weights instead of a
 * full-size one (the annealed fine-tune of the pruning literature; src/build/search.ts's long fine-tunes use it).
 */
export type LearningRateSchedule = 'constant' | 'cosine';

/** Where the cosine schedule ends, as a share of the learning rate. */
export const COSINE_FLOOR = 0.01;

/** The learning rate of batch `k` (0-based) of `total` batches under `schedule`. */
export function learningRateAt(schedule: LearningRateSchedule, base: number, k: number, total: number): number {
  if (schedule === 'constant' || total <= 1) return base;
  const t = Math.min(1, Math.max(0, k / (total - 1)));
  return base * (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** Set the rate the optimizer's next step uses (tfjs's Adam reads `learningRate` at every step; SGD keeps a tensor). */
function setLearningRate(kind: OptimizerKind, opt: tf.Optimizer, learningRate: number): void {
  (opt as unknown as { learningRate: number }).learningRate = learningRate;
  if (kind === 'sgd') (opt as tf.SGDOptimizer).setLearningRate(learningRate);
}

function makeOptimizer(kind: OptimizerKind, learningRate: number): tf.Optimizer {
  return kind === 'adam' ? tf.train.adam(learningRate) : tf.train.sgd(learningRate);
}

/** Keep the optimizer of earlier calls when it is of the same kind (its state carries over). */
function optimizerFor(t: Trainable, kind: OptimizerKind, learningRate: number, reset: boolean): tf.Optimizer {
  const cur = t.optimizer;
  if (cur && cur.kind === kind && !reset) {
    setLearningRate(kind, cur.optimizer, learningRate);
    return cur.optimizer;
  }
  cur?.optimizer.dispose();
  t.optimizer = { kind, optimizer: makeOptimizer(kind, learningRate) };
  return t.optimizer.optimizer;
}

/** One optimizer step on a batch: masked gradients, update, masked weights again. Returns the batch's mean loss. */
function step(t: Trainable, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor2D, loss: LossKind, soft?: { logits: tf.Tensor2D; teacher: Teacher }): number {
  return tf.tidy(() => {
    const vars = t.trained.map((p) => p.variable);
    const objective = () => (soft ? distillationLoss(loss, forward(t, x), y, soft.logits, soft.teacher.temperature, soft.teacher.alpha) : lossOf(loss, forward(t, x), y));
    const { value, grads } = tf.variableGrads(objective, vars);
    const ordered: tf.NamedTensorMap = {};
    for (const p of t.trained) {
      const g = grads[p.variable.name];
      const m = t.masks.get(p.binding.initializer);
      ordered[p.variable.name] = m ? tf.mul(g, m.tensor) : g;
    }
    opt.applyGradients(ordered);
    applyMasks(t);
    return value.dataSync()[0];
  });
}

/** Training yields to the event loop when this long has passed since it last did (ms). */
const YIELD_MS = 20;

/** Train on a data set (features in the IR input layout, integer labels). */
export async function train(t: Trainable, data: TrainData, options: TrainOptions = {}): Promise<TrainResult> {
  t.check();
  const epochs = options.epochs ?? DEFAULTS.epochs;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const learningRate = options.learningRate ?? DEFAULTS.learningRate;
  if (!(epochs >= 0) || !Number.isInteger(epochs)) throw new UserError(`epochs must be a non-negative integer (got ${epochs})`);
  if (!(batchSize >= 1) || !Number.isInteger(batchSize)) throw new UserError(`batch size must be a positive integer (got ${batchSize})`);
  if (!(learningRate > 0)) throw new UserError(`learning rate must be positive (got ${learningRate})`);
  const averageLast = options.averageLastEpochs ?? 0;
  if (!(averageLast >= 0) || !Number.isInteger(averageLast)) throw new UserError(`epochs to average must be a non-negative integer (got ${averageLast})`);
  const loss = options.loss ?? defaultLoss(t);
  checkData(t, data, loss, 'training data');
  if (options.validation) checkData(t, options.validation, loss, 'validation data');
  if (epochs > 0) checkWeightsBeforeTraining(t);
  const teacher = options.teacher;
  if (teacher && (loss === 'mse' || teacher.logits.length !== data.count * t.outputSize)) {
    throw new Error(`distillation needs a classification loss and ${data.count} × ${t.outputSize} teacher logits (got loss ${loss}, ${teacher.logits.length} logits)`);
  }
  const kind = options.optimizer ?? 'adam';
  const schedule = options.schedule ?? 'constant';
  const opt = optimizerFor(t, kind, learningRate, options.resetOptimizer ?? false);
  const rng = new Random(options.seed ?? trainingRuntime()?.seed ?? 0);
  const order = Array.from({ length: data.count }, (_, i) => i);
  const batches = Math.ceil(data.count / batchSize);
  const start = performance.now();
  const history: EpochProgress[] = [];
  const average = averageLast > 0 ? weightAverage(t) : undefined;
  let lastYield = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const epochStart = performance.now();
    if (options.shuffle !== false) rng.shuffle(order);
    let total = 0;
    for (let b = 0; b < batches; b++) {
      const idx = order.slice(b * batchSize, Math.min(data.count, (b + 1) * batchSize));
      const x = batchInput(t, data, idx);
      const y = batchTargets(t, data, idx, loss);
      const soft = teacher ? { logits: teacherBatch(teacher, idx, t.outputSize), teacher } : undefined;
      const rate = learningRateAt(schedule, learningRate, epoch * batches + b, epochs * batches);
      if (schedule !== 'constant') setLearningRate(kind, opt, rate);
      const batchLoss = step(t, opt, x, y, loss, soft);
      tf.dispose([x, y, ...(soft ? [soft.logits] : [])]);
      checkBatchLoss(t, batchLoss, { epoch, epochs, batch: b, batches, learningRate });
      total += batchLoss * idx.length;
      options.onBatch?.({ epoch, batch: b, batches, loss: batchLoss, learningRate: rate, elapsedMs: performance.now() - start });
      // Let the event loop run now and then (a build's worker waiting for its next fine-tune); no effect on the numbers.
      if (performance.now() - lastYield >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    checkEpochWeights(t, { epoch, epochs, batches, learningRate });
    if (average && averagedEpoch(epoch, epochs, averageLast)) average.snapshot();
    const progress: EpochProgress = { epoch, epochs, loss: total / data.count, elapsedMs: performance.now() - start, epochMs: performance.now() - epochStart };
    if (options.validation) progress.validation = await evaluate(t, options.validation, { loss, batchSize: Math.max(batchSize, 256) });
    history.push(progress);
    await options.onEpoch?.(progress);
  }
  average?.apply();
  return { epochs: history, elapsedMs: performance.now() - start, loss };
}

export interface EvaluateOptions {
  /** k of the top-k accuracy (default 5, at most the number of outputs). */
  k?: number;
  batchSize?: number;
  loss?: LossKind;
}

/** Accuracy, top-k accuracy and mean loss on a data set. */
export async function evaluate(t: Trainable, data: TrainData, options: EvaluateOptions = {}): Promise<Evaluation> {
  t.check();
  const loss = options.loss ?? defaultLoss(t);
  checkData(t, data, loss, 'evaluation data');
  const k = Math.max(1, Math.min(options.k ?? 5, t.outputSize));
  const batchSize = options.batchSize ?? 256;
  let correct = 0;
  let inTopK = 0;
  let lossSum = 0;
  for (let s = 0; s < data.count; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, data.count - s) }, (_, i) => s + i);
    const [out, l] = tf.tidy(() => {
      const x = batchInput(t, data, idx);
      const y = forward(t, x);
      return [y.dataSync() as Float32Array, lossOf(loss, y, batchTargets(t, data, idx, loss), true).dataSync()[0]] as const;
    });
    lossSum += l;
    const width = t.outputSize;
    for (let i = 0; i < idx.length; i++) {
      const row = out.subarray(i * width, (i + 1) * width);
      // The cross-entropy clips probabilities, which turns NaN outputs into a finite loss: report NaN instead.
      if (!row.every(Number.isFinite)) lossSum = NaN;
      // Rank of the label's score: how many outputs beat it (ties go to the lower index, as argmax); NaN or infinite outputs are never correct.
      const above = labelRank(row, data.labels[idx[i]]);
      if (above === 0) correct++;
      if (above < k) inTopK++;
    }
  }
  return { accuracy: correct / data.count, topKAccuracy: inTopK / data.count, k, loss: lossSum / data.count, samples: data.count };
}

/**
 * Model outputs for `count` samples of features in the IR input layout (row-major, count × sample
 * size): an IR tensor [count, ...output shape after the batch dimension].
 */
export async function predict(t: Trainable, features: Float32Array, options: { batchSize?: number } = {}): Promise<Tensor> {
  t.check();
  const size = t.sampleSize;
  if (features.length % size !== 0) throw new UserError(`${features.length} feature values are not a whole number of samples of ${size}`);
  const count = features.length / size;
  const out = new Float32Array(count * t.outputSize);
  const batchSize = options.batchSize ?? 256;
  for (let s = 0; s < count; s += batchSize) {
    const n = Math.min(batchSize, count - s);
    const values = tf.tidy(() => {
      const x = tf.tensor(features.subarray(s * size, (s + n) * size), [n, ...t.inputShape], 'float32');
      return forward(t, x).dataSync() as Float32Array;
    });
    out.set(values, s * t.outputSize);
  }
  return new Tensor('float32', [count, ...t.plan.output.shape.slice(1)], out);
}
