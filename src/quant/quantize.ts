// Post-training quantization: float graph + calibration inputs → int8 graph (docs/numerics.md, "int8"; rules in src/quant/*.ts).
//
//   quantizeModel(graph, calibrationInputs, { method?, perTensor?, percentile?, denseWeights?, multiplierBits? }) → { graph, report }
//
// BatchNormalization is folded first (into the Conv or Gemm before it, or into the layer after an input);
// the float graph then runs through the interpreter over the calibration inputs to choose each activation's
// range (min/max, percentile or MSE); weights become per-channel symmetric int8 (a dense layer's per tensor with
// denseWeights: 'per-tensor', one requantization multiplier for the layer), biases int32, activations
// per-tensor asymmetric int8, and ReLU/Clip fold into the output clamps. The result keeps float inputs and
// outputs (QuantizeLinear after each input, DequantizeLinear before each output).

import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { storageBytesPerElement } from '../ir/limits.js';
import { sameShape, shapeToString, type Tensor } from '../ir/tensor.js';
import { eliminateDeadCode } from '../passes/eliminate-dead-code.js';
import { eliminateIdentities } from '../passes/eliminate-identities.js';
import { foldBatchNorm } from '../passes/fold-batchnorm.js';
import { foldBiasAdd } from '../passes/fold-bias-add.js';
import { runPasses } from '../passes/pass.js';
import { calibrate, type CalibrationOptions, type TensorCalibration } from './calibrate.js';
import { MAX_MULTIPLIER_BITS, MIN_MULTIPLIER_BITS } from './fixed-point.js';
import { foldNormalizationForward } from './fold-normalization-forward.js';
import { mergedInputParams } from './input-normalization.js';
import { planQuantization, type QuantPlan } from './plan.js';
import { activationParams, type QuantParams, type WeightGranularity } from './qparams.js';
import { rewriteToInt8, type QuantizedLayer, type RewriteInput } from './rewrite.js';

export interface QuantizeOptions extends CalibrationOptions {
  /** Weight scales of the dense layers: 'per-channel' (default) or 'per-tensor' (one scale, multiplier and shift per layer). */
  denseWeights?: WeightGranularity;
  /** Significant bits of the Int8Gemm/Int8Conv requantization multipliers, in [8, 31] (default 31; fewer: narrow multipliers for FPGA). */
  multiplierBits?: number;
  /** Weight scales fixed by layer name (RewriteInput.weightScales): nested int8 levels share a kept channel's bytes. */
  weightScales?: RewriteInput['weightScales'];
}

/** Refuse multiplier bits outside [8, 31]. */
export function checkMultiplierBits(bits: number, flag = 'multiplierBits'): number {
  if (!(Number.isInteger(bits) && bits >= MIN_MULTIPLIER_BITS && bits <= MAX_MULTIPLIER_BITS)) {
    throw new UserError(`${flag} is ${bits}; it must be an integer from ${MIN_MULTIPLIER_BITS} to ${MAX_MULTIPLIER_BITS}`, `${MAX_MULTIPLIER_BITS} keeps full multipliers; 16 to 18 fit one FPGA DSP multiplier`);
  }
  return bits;
}

export interface QuantizeReport {
  /** Calibration inputs used. */
  samples: number;
  layers: QuantizedLayer[];
  /** Every calibrated value: method, observed and clip ranges, and the scale and zero point chosen. */
  tensors: (TensorCalibration & QuantParams)[];
  /** Bytes of the constants (initializers) as stored: the float model's and the int8 model's. */
  weightBytes: { float: number; int8: number };
}

export interface QuantizeResult {
  graph: Graph;
  report: QuantizeReport;
}

/** Each calibration input must feed every graph input with the right type and shape. */
function checkCalibrationInputs(g: Graph, inputs: readonly Record<string, Tensor>[]): void {
  if (inputs.length === 0) throw new UserError('the calibration set is empty', 'give calibration data with at least one sample (--data, --samples)');
  inputs.forEach((feed, i) => {
    for (const v of g.inputs) {
      const t = feed[v.name];
      const expected = `${v.dtype} ${shapeToString(v.shape as number[])}`;
      if (!t) throw new UserError(`calibration sample ${i + 1} has no value for input '${v.name}' (expected ${expected})`);
      if (t.dtype !== v.dtype || !sameShape(t.shape, v.shape as number[])) {
        throw new UserError(`calibration sample ${i + 1} gives input '${v.name}' as ${t.dtype} ${shapeToString(t.shape)}; the model expects ${expected}`, 'give calibration data shaped like the model input');
      }
    }
  });
}

function checkPerTensor(plan: QuantPlan, options: QuantizeOptions): void {
  const known = new Set(plan.calibrated);
  for (const name of Object.keys(options.perTensor ?? {})) {
    if (!known.has(name)) {
      throw new UserError(`no calibrated tensor is named '${name}'`, `tensors with a range of their own: ${plan.calibrated.map((n) => `'${n}'`).join(', ')}`);
    }
  }
}

/** Scale and zero point of every int8 value, and of each input's QuantizeLinear. */
export function assignParams(plan: QuantPlan, ranges: Map<string, TensorCalibration>) {
  const params = new Map<string, QuantParams>();
  const inputParams = new Map<string, QuantParams>();
  const fromRange = (value: string) => {
    const { clip } = ranges.get(value)!;
    return activationParams(clip.min, clip.max);
  };
  for (const input of plan.inputs) {
    if (input.normalization) {
      const merged = mergedInputParams(ranges.get(input.value)!.clip, input.normalization);
      params.set(input.value, merged.value);
      inputParams.set(input.name, merged.input);
    } else {
      params.set(input.value, fromRange(input.value));
      inputParams.set(input.name, params.get(input.value)!);
    }
  }
  for (const s of plan.steps) {
    if (s.kind === 'pass-through') params.set(s.output, params.get(s.input)!);
    else if (s.kind === 'concat') params.set(s.output, fromRange(s.output));
    else if (s.kind !== 'float-tail' && s.kind !== 'index-tail') params.set(s.output, fromRange(plan.concatOf.get(s.output) ?? s.output));
  }
  return { params, inputParams };
}

function constantBytes(g: Graph): number {
  let bytes = 0;
  for (const t of g.initializers.values()) bytes += t.size * storageBytesPerElement(t.dtype);
  return bytes;
}

/**
 * The float graph the quantizer plans and calibrates: identities gone, BatchNormalization folded, and a constant
 * per-channel Add after a bias-less Conv, Gemm or 2-D MatMul folded into its bias (CNTK, older Keras and TF write
 * Conv → Add [C,1,1] → Relu: one Int8Conv with its bias and the fused clamp, where the Add alone could not be
 * quantized). Both folds compute the float values the graph did, so calibration sees the same ranges.
 */
export function prepareForQuantization(graph: Graph): Graph {
  return runPasses(graph, [eliminateIdentities, foldBatchNorm, foldBiasAdd, foldNormalizationForward, eliminateDeadCode]);
}

export function quantizeModel(graph: Graph, calibrationInputs: readonly Record<string, Tensor>[], options: QuantizeOptions = {}): QuantizeResult {
  if (options.multiplierBits !== undefined) checkMultiplierBits(options.multiplierBits);
  checkCalibrationInputs(graph, calibrationInputs);
  const prepared = prepareForQuantization(graph);
  const plan = planQuantization(prepared);
  checkPerTensor(plan, options);
  const ranges = calibrate(prepared, calibrationInputs, plan.calibrated, options);
  const { params, inputParams } = assignParams(plan, ranges);
  const { graph: int8, layers } = rewriteToInt8(prepared, { plan, params, inputParams, denseWeights: options.denseWeights, multiplierBits: options.multiplierBits, weightScales: options.weightScales });
  const tensors = plan.calibrated.map((name) => ({ ...ranges.get(name)!, ...params.get(name)! }));
  return {
    graph: int8,
    report: { samples: calibrationInputs.length, layers, tensors, weightBytes: { float: constantBytes(graph), int8: constantBytes(int8) } },
  };
}
