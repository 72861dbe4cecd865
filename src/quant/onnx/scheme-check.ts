// Refuse, before converting anything, the quantization schemes edgeprune's int8 semantics cannot hold, naming the node
// and the scheme: widths other than 8 bits, scales computed at run time, per-channel activations, blocked quantization.
// and asymmetric weights (a zero point other than 0 for int8, 128 for uint8). float8 never gets this far:
// src/quant/onnx/float8-refusal.ts refuses it while the ONNX file is read.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { QuantGraph } from './quant-graph.js';

const EIGHT_BIT = new Set(['int8', 'uint8']);
const SYMMETRIC_ZERO: Readonly<Record<string, number>> = { int8: 0, uint8: 128 };
/** What to do about weights edgeprune's int8 ops cannot hold (asymmetric, -128, per input channel). */
export const SYMMETRIC_HINT =
  "quantize the weights symmetrically into [-127, 127] (onnxruntime: weight_type QInt8 with extra_options {'WeightSymmetric': True}; PyTorch: a per_channel_symmetric observer with quant_min=-127)";

/** Weight inputs (and their zero-point inputs) of the ops that take quantized weights. */
const WEIGHT_INPUTS: Readonly<Record<string, { weight: number; zero?: number }>> = {
  Conv: { weight: 1 },
  Gemm: { weight: 1 },
  MatMul: { weight: 1 },
  QLinearConv: { weight: 3, zero: 5 },
  QLinearMatMul: { weight: 3, zero: 5 },
  ConvInteger: { weight: 1, zero: 3 },
  MatMulInteger: { weight: 1, zero: 3 },
};
const WIDTH_HINT = 'quantize the model to 8 bits (onnxruntime: activation_type QInt8 or QUInt8, weight_type QInt8; or edgeprune quantize)';
const PER_TENSOR_HINT = 'quantize activations per tensor (onnxruntime and PyTorch do by default; per-channel scales belong to the weights)';

/** The quantized side of the node: QuantizeLinear's output, DequantizeLinear's input. */
function quantizedValue(node: Node): string {
  return node.opType === 'QuantizeLinear' ? node.outputs[0] : node.inputs[0];
}

function checkQdq(node: Node, qg: QuantGraph): void {
  const isQuantize = node.opType === 'QuantizeLinear';
  const value = quantizedValue(node);
  const dtype = qg.dtype(value);
  const constant = qg.constant(value) !== undefined;
  const biasLike = !isQuantize && constant && dtype === 'int32';
  if (!dtype || (!EIGHT_BIT.has(dtype) && !biasLike)) {
    throw nodeError(node, `${dtype} quantization of '${value}'; edgeprune's int8 ops take int8 or uint8 tensors (and int32 biases)`, WIDTH_HINT);
  }
  const scaleName = isQuantize ? 'y_scale' : 'x_scale';
  const scale = qg.requireConstant(node, 1, scaleName);
  if (node.inputs[2]) qg.requireConstant(node, 2, isQuantize ? 'y_zero_point' : 'x_zero_point');
  const blockSize = node.attrs.block_size?.kind === 'int' ? node.attrs.block_size.value : 0;
  if (blockSize > 0) {
    throw nodeError(node, `blocked quantization of '${value}' (block_size ${blockSize}); edgeprune's int8 weights have one scale per output channel`, WIDTH_HINT);
  }
  if (!constant && scale.size > 1) {
    const axis = node.attrs.axis?.kind === 'int' ? node.attrs.axis.value : 1;
    throw nodeError(
      node,
      `activation '${value}' is quantized per channel (axis ${axis}, ${scale.size} scales); edgeprune's int8 activations have one scale and zero point per tensor`,
      PER_TENSOR_HINT,
    );
  }
}

/** Constant scale and zero-point inputs of the integer ops, and per-tensor activation parameters. */
function checkIntegerOp(node: Node, qg: QuantGraph, params: readonly (readonly [index: number, what: string])[], activationParams: readonly number[]): void {
  for (const [index, what] of params) {
    if (!node.inputs[index]) continue;
    const t = qg.requireConstant(node, index, what);
    if (activationParams.includes(index) && t.size > 1) {
      throw nodeError(node, `${what} has shape ${shapeToString(t.shape)}: per-row (per-channel) activation quantization; edgeprune's int8 activations have one scale and zero point per tensor`, PER_TENSOR_HINT);
    }
  }
}

const QLINEAR_PARAMS = [[1, 'x_scale'], [2, 'x_zero_point'], [4, 'w_scale'], [5, 'w_zero_point'], [6, 'y_scale'], [7, 'y_zero_point']] as const;
const QLINEAR_MATMUL_PARAMS = [[1, 'a_scale'], [2, 'a_zero_point'], [4, 'b_scale'], [5, 'b_zero_point'], [6, 'y_scale'], [7, 'y_zero_point']] as const;
const INTEGER_PARAMS = [[2, 'a_zero_point'], [3, 'b_zero_point']] as const;

/** The quantized constant and zero point behind a layer's weight input: the input itself (QLinear, integer ops) or a DequantizeLinear's. */
function weightZeroPoint(layer: Node, qg: QuantGraph): { weight: string; zero: string } | undefined {
  const roles = WEIGHT_INPUTS[layer.opType];
  if (!roles) return undefined;
  const input = layer.inputs[roles.weight];
  if (roles.zero !== undefined) return { weight: input, zero: layer.inputs[roles.zero] ?? '' };
  const dq = qg.producer(input);
  return dq?.opType === 'DequantizeLinear' && dq.domain === '' ? { weight: dq.inputs[0], zero: dq.inputs[2] ?? '' } : undefined;
}

/** Symmetric weights: zero point 0 (int8) or 128 (uint8) on every channel. */
function checkSymmetricWeights(layer: Node, qg: QuantGraph): void {
  const found = weightZeroPoint(layer, qg);
  const values = found && qg.constant(found.weight);
  const symmetric = values ? SYMMETRIC_ZERO[values.dtype] : undefined;
  if (!found || !values || symmetric === undefined) return;
  const zeros = found.zero ? qg.constant(found.zero)?.toNumbers() : [];
  const channel = zeros?.findIndex((z) => z !== symmetric) ?? -1;
  if (channel >= 0) {
    throw nodeError(
      layer,
      `weights '${found.weight}' (${values.dtype}) have zero point ${zeros![channel]}${zeros!.length > 1 ? ` on channel ${channel}` : ''}: asymmetric weight quantization; edgeprune's int8 weights are symmetric (zero point 0 for int8, 128 for uint8)`,
      SYMMETRIC_HINT,
    );
  }
}

/** Throw a UserError naming the first node whose quantization scheme edgeprune's int8 ops cannot hold. */
export function checkQuantizationSchemes(qg: QuantGraph): void {
  for (const node of qg.g.nodes) {
    if (node.domain !== '') continue;
    checkSymmetricWeights(node, qg);
    switch (node.opType) {
      case 'QuantizeLinear':
      case 'DequantizeLinear':
        checkQdq(node, qg);
        break;
      case 'QLinearConv':
        checkIntegerOp(node, qg, QLINEAR_PARAMS, []);
        break;
      case 'QLinearMatMul':
        checkIntegerOp(node, qg, QLINEAR_MATMUL_PARAMS, [1, 2]);
        break;
      case 'ConvInteger':
        checkIntegerOp(node, qg, [[2, 'x_zero_point'], [3, 'w_zero_point']], []);
        break;
      case 'MatMulInteger':
        checkIntegerOp(node, qg, INTEGER_PARAMS, [2]);
        break;
    }
  }
}
