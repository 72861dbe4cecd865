// Refuse, before converting anything, the quantization schemes edgeprune's int8 semantics cannot hold, naming the node
// and the scheme: widths other than 8 bits, scales computed at run time, per-channel activations, blocked quantization.
// (Asymmetric weights are refused where a layer reads them: src/quant/onnx/int8-layer.ts. float8 never gets this far:
// src/quant/onnx/float8-refusal.ts refuses it while the ONNX file is read.)

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { QuantGraph } from './quant-graph.js';

const EIGHT_BIT = new Set(['int8', 'uint8']);
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

/** Throw a UserError naming the first node whose quantization scheme edgeprune's int8 ops cannot hold. */
export function checkQuantizationSchemes(qg: QuantGraph): void {
  for (const node of qg.g.nodes) {
    if (node.domain !== '') continue;
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
