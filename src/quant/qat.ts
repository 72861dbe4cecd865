// Quantization-aware fine-tuning: a float graph fine-tuned with fake int8 quantization, then converted by the PTQ quantizer.
//
//   quantizeWithTraining(graph, trainSet, { epochs, learningRate?, batchSize?, seed?, backend?, method?, samples?, … })
//     → { graph (int8), float (the fine-tuned float graph), report (the quantizer's), history }
//
// 1. The graph is prepared as the quantizer prepares it (BatchNormalization folded) and planned: a graph the
//    quantizer refuses is refused before any training.
// 2. Activation ranges come from calibrating the prepared float graph on the first `samples` training samples
//    (the quantizer's own calibration and parameter rules); they stay FIXED through fine-tuning (no EMA): the
//    network learns to live within the grid it will be converted to, and the steps are deterministic.
// 3. The training bridge fine-tunes it with every Conv/Gemm/MatMul kernel fake-quantized per output channel
//    (per tensor for the dense layers with denseWeights: 'per-tensor', as the quantizer will scale them; scale
//    from the current weights) and every value the int8 graph will hold as int8 fake-quantized per
//    tensor (src/train/fake-quant.ts; straight-through gradients). Weights that are zero in the input graph are
//    pruned weights: they are masked and stay exactly zero.
// 4. The fine-tuned float weights go through quantizeModel (calibrated again on the same samples).
// Biases are not fake-quantized: their int32 step (x_scale · w_scale) is far below the activations' step.

import type { Dataset } from '../data/dataset.js';
import { fitToModel } from '../data/fit-model.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { masksFromZeros } from '../prune/weight-masks.js';
import { installFakeQuant } from '../train/fake-quant-model.js';
import { buildTrainable, disposeTrainable, setMasks } from '../train/trainable.js';
import { initTraining, type BackendChoice } from '../train/backend.js';
import { train, type EpochProgress } from '../train/train.js';
import { toGraph } from '../train/tfjs-to-ir.js';
import { calibrate } from './calibrate.js';
import { DEFAULT_QAT_LEARNING_RATE } from './qat-defaults.js';
import { calibrationInputs, DEFAULT_CALIBRATION_SAMPLES } from './calibration-data.js';
import { planQuantization, type QuantPlan } from './plan.js';
import type { QuantParams } from './qparams.js';
import { assignParams, prepareForQuantization, quantizeModel, type QuantizeOptions, type QuantizeResult } from './quantize.js';

export { DEFAULT_QAT_LEARNING_RATE };

export interface QatOptions extends QuantizeOptions {
  /** Fine-tuning epochs with fake quantization (≥ 1). */
  epochs: number;
  learningRate?: number;
  batchSize?: number;
  /** Shuffling seed (default 0). */
  seed?: number;
  backend?: BackendChoice;
  /** Calibration samples (the first of the data set), before and after fine-tuning. */
  samples?: number;
  onEpoch?: (p: EpochProgress) => void;
}

export interface QatResult extends QuantizeResult {
  /** The fine-tuned float graph (BatchNormalization folded) that was converted. */
  float: Graph;
  /** Per-epoch training loss (with fake quantization). */
  history: EpochProgress[];
  /** Kernels fake-quantized, and activations (values of `float`) with the fixed grid they trained with. */
  fakeQuant: { weights: string[]; activations: { name: string; scale: number; zeroPoint: number }[] };
  /** Kernels whose zero weights were kept at zero (the pruned ones). */
  masked: string[];
}

/** The kernels the quantizer scales per tensor: those of the dense layers when options.denseWeights is 'per-tensor'. */
function perTensorWeights(plan: QuantPlan, options: QatOptions): Set<string> {
  if (options.denseWeights !== 'per-tensor') return new Set();
  return new Set(plan.steps.flatMap((s) => (s.kind === 'dense' ? [s.node.inputs[1]] : [])));
}

/** The int8 values of the quantized graph and their fixed grids: every calibrated value, and every Concat input (its Concat's grid). */
function activationGrids(prepared: Graph, plan: QuantPlan, trainSet: Dataset, options: QatOptions): Map<string, QuantParams> {
  const feeds = calibrationInputs(prepared, trainSet, options.samples ?? DEFAULT_CALIBRATION_SAMPLES);
  const ranges = calibrate(prepared, feeds, plan.calibrated, options);
  const { params } = assignParams(plan, ranges);
  const grids = new Map<string, QuantParams>();
  for (const name of [...plan.calibrated, ...plan.concatOf.keys()]) grids.set(name, params.get(name)!);
  return grids;
}

/** Fine-tune `graph` on `trainSet` with fake quantization for `options.epochs`, then quantize it to int8. */
export async function quantizeWithTraining(graph: Graph, trainSet: Dataset, options: QatOptions): Promise<QatResult> {
  if (!(Number.isInteger(options.epochs) && options.epochs >= 1)) throw new UserError(`quantization-aware training needs a whole number of epochs of at least 1 (got ${options.epochs})`);
  const prepared = prepareForQuantization(graph);
  const plan = planQuantization(prepared);
  const grids = activationGrids(prepared, plan, trainSet, options);
  // No seed here: it would change the runtime's default for other callers; `train` gets its own.
  await initTraining({ backend: options.backend });
  const t = await buildTrainable(prepared);
  try {
    const masks = new Map([...masksFromZeros(prepared)].filter(([name, m]) => m.includes(0) && t.parameterNames.includes(name)));
    setMasks(t, masks);
    const installed = installFakeQuant(t, { activations: grids, perTensorWeights: perTensorWeights(plan, options) });
    let history: EpochProgress[];
    try {
      const result = await train(t, fitToModel(trainSet, prepared), {
        epochs: options.epochs,
        learningRate: options.learningRate ?? DEFAULT_QAT_LEARNING_RATE,
        batchSize: options.batchSize,
        seed: options.seed ?? 0,
        onEpoch: options.onEpoch,
      });
      history = result.epochs;
    } finally {
      installed.remove();
    }
    const float = toGraph(t);
    const quantized = quantizeModel(float, calibrationInputs(float, trainSet, options.samples ?? DEFAULT_CALIBRATION_SAMPLES), options);
    return {
      ...quantized,
      float,
      history,
      fakeQuant: { weights: installed.weights, activations: installed.activations.map((name) => ({ name, ...grids.get(name)! })) },
      masked: [...masks.keys()],
    };
  } finally {
    disposeTrainable(t);
  }
}
