// Graph in, graph out: the training bridge behind the shape the pruning loop asks for (canTrain, fineTune, score, gradients).
//
// Structurally the `Trainer` of src/prune/trainer.ts (not imported, so that either side can move).
// The trainable of the graph fineTune returned last is kept: fine-tuning that graph again (with new
// masks) or scoring it reuses the model and its optimizer state instead of rebuilding.

import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { initTraining, type BackendChoice } from './backend.js';
import { untrainableError, untrainableNodes } from './ir-to-tfjs.js';
import { toGraph } from './tfjs-to-ir.js';
import { buildTrainable, disposeTrainable, setMasks, type OptimizerKind, type Trainable } from './trainable.js';
import { evaluate, predict, train, type LearningRateSchedule, type LossKind, type Teacher, type TrainData } from './train.js';
import { batchWeightGradients, weightGradients } from './gradients.js';

export interface GraphTrainerOptions {
  backend?: BackendChoice;
  /** Shuffling seed; fine-tuning round r uses seed + r (unless the call gives its own seed). */
  seed?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: OptimizerKind;
  loss?: LossKind;
  /**
   * Knowledge distillation from this model (the dense one) in every fine-tune: its logits on the training set are
   * computed once. Classification only: a regression model (one output, or loss 'mse') trains without it.
   */
  teacher?: Graph;
  /** Soft-target temperature and the weight of the hard labels (defaults 4 and 0.5). */
  distillation?: { temperature: number; alpha: number };
}

export interface GraphTrainerProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss of the epoch so far. */
  loss: number;
}

export interface GraphTrainer {
  canTrain(g: Graph): { ok: true } | { ok: false; reason: string };
  /**
   * Train `epochs` epochs. `seed` (the build's search gives one to every fine-tune) shuffles with that seed instead of
   * the round counter, so the result does not depend on how many fine-tunes ran before in this process. `schedule`:
   * the learning rate over the call (default constant; 'cosine' anneals it, see learningRateAt). `averageLastEpochs`:
   * return the mean of the weights at the ends of the last that-many epochs (default 0: the last iterate).
   */
  fineTune(g: Graph, masks: Map<string, Uint8Array> | undefined, epochs: number, onProgress?: (p: GraphTrainerProgress) => void, seed?: number, schedule?: LearningRateSchedule, averageLastEpochs?: number): Promise<Graph>;
  /** Top-1 accuracy for classification; −MSE for regression (one output or loss 'mse'): higher is better. */
  score(g: Graph, ds: Dataset): Promise<number>;
  /** The score and the mean loss in one pass. */
  assess(g: Graph, ds: Dataset): Promise<{ score: number; loss: number }>;
  /** Σ over the first `samples` training samples of ∂L/∂w, IR layout (see weightGradients, mode 'sum'). */
  gradients(g: Graph, samples: number): Promise<Map<string, Tensor>>;
  /** ∂L/∂w summed within each mini-batch of the first `samples` training samples (see batchWeightGradients). */
  batchGradients(g: Graph, samples: number, batchSize: number): Promise<Map<string, Tensor>[]>;
  /** Start the backend and compute the teacher's logits now rather than in the first fine-tune (a worker's warm-up). */
  prepare(): Promise<void>;
  dispose(): void;
}

/** A GraphTrainer fine-tuning on `trainSet` (features in the IR input layout). */
export function createGraphTrainer(trainSet: TrainData, options: GraphTrainerOptions = {}): GraphTrainer {
  let current: { graph: Graph; trainable: Trainable; weights: Map<string, Tensor>; nodes: number } | undefined;
  const keep = (graph: Graph, trainable: Trainable) => ({ graph, trainable, weights: new Map(graph.initializers), nodes: graph.nodes.length });
  /** Reuse only while the graph is unchanged (same node count, the very same initializer tensors). */
  const unchanged = (g: Graph) =>
    current !== undefined &&
    current.graph === g &&
    g.nodes.length === current.nodes &&
    g.initializers.size === current.weights.size &&
    [...g.initializers].every(([k, v]) => current!.weights.get(k) === v);
  let round = 0;
  const started = initTraining({ backend: options.backend, seed: options.seed });
  let teacher: Promise<Teacher | undefined> | undefined;
  /** The teacher's logits on the training set, computed once (undefined: no distillation). */
  const teacherLogits = (): Promise<Teacher | undefined> => {
    teacher ??= (async () => {
      if (!options.teacher) return undefined;
      await started;
      const t = await buildTrainable(options.teacher);
      try {
        if (options.loss === 'mse' || (options.loss === undefined && t.outputKind === 'logits' && t.outputSize === 1)) return undefined;
        const out = (await predict(t, trainSet.features)).data as Float32Array;
        const logits = t.outputKind === 'probabilities' ? out.map((p) => Math.log(Math.max(p, 1e-7))) : out;
        return { logits, temperature: options.distillation?.temperature ?? 4, alpha: options.distillation?.alpha ?? 0.5 };
      } finally {
        disposeTrainable(t);
      }
    })();
    return teacher;
  };

  /** The trainable holding `g`'s weights: the kept one when `g` is the graph it produced. */
  // Accuracy for classification, −MSE for regression; and the mean loss.
  const assess = async (g: Graph, ds: Dataset) => {
    const t = await trainableFor(g);
    const regression = options.loss === 'mse' || (options.loss === undefined && t.outputKind === 'logits' && t.outputSize === 1);
    const ev = await evaluate(t, ds, { loss: options.loss });
    return { score: regression ? -ev.loss : ev.accuracy, loss: ev.loss };
  };
  const trainableFor = async (g: Graph): Promise<Trainable> => {
    await started;
    if (unchanged(g)) return current!.trainable;
    const trainable = await buildTrainable(g);
    if (current) disposeTrainable(current.trainable);
    current = keep(g, trainable);
    return trainable;
  };

  return {
    canTrain(g) {
      const problems = untrainableNodes(g);
      return problems.length === 0 ? { ok: true } : { ok: false, reason: untrainableError(problems).message };
    },

    async fineTune(g, masks, epochs, onProgress, seed, schedule, averageLastEpochs) {
      const soft = await teacherLogits();
      const t = await trainableFor(g);
      setMasks(t, masks ?? new Map());
      let sum = 0;
      let seen = 0;
      await train(t, trainSet, {
        epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        optimizer: options.optimizer,
        loss: options.loss,
        teacher: soft,
        schedule,
        averageLastEpochs,
        seed: seed ?? (options.seed ?? 0) + round++,
        onBatch: (p) => {
          if (p.batch === 0) sum = seen = 0;
          sum += p.loss;
          seen++;
          onProgress?.({ epoch: p.epoch, epochs, batch: p.batch, batches: p.batches, loss: sum / seen });
        },
      });
      const out = toGraph(t);
      current = keep(out, t);
      return out;
    },

    async score(g, ds) {
      return (await assess(g, ds)).score;
    },

    assess,

    async gradients(g, samples) {
      return weightGradients(await trainableFor(g), trainSet, { samples, loss: options.loss });
    },

    async batchGradients(g, samples, batchSize) {
      return batchWeightGradients(await trainableFor(g), trainSet, { samples, batchSize, loss: options.loss });
    },

    async prepare() {
      await started;
      await teacherLogits();
    },

    dispose() {
      if (current) disposeTrainable(current.trainable);
      current = undefined;
    },
  };
}
