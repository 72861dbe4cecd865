// QDQ layers → int8 ops: DequantizeLinear(x), DequantizeLinear(w) [, bias] → Conv / Gemm / MatMul [+ Add bias]
// → [Relu | Clip] → QuantizeLinear  becomes one Int8Conv or Int8Gemm, as onnxruntime's quantize_static and PyTorch
// export write them (per-tensor activations, per-tensor or per-channel symmetric weights).

import type { Node } from '../../ir/graph.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import type { Tensor } from '../../ir/tensor.js';
import { int32Bias, int8Weights, requantizedOutput } from './int8-layer.js';
import type { LayerMatcher } from './layer-matcher.js';
import type { QuantGraph, TensorQuant } from './quant-graph.js';

/** An int8 activation read through a per-tensor DequantizeLinear. */
export function dequantizedActivation(qg: QuantGraph, value: string): { q: string; quant: TensorQuant } | undefined {
  const dq = qg.producer(value);
  if (!dq || dq.domain !== '' || dq.opType !== 'DequantizeLinear') return undefined;
  const q = dq.inputs[0];
  if (qg.constant(q) || qg.dtype(q) !== 'int8') return undefined;
  const quant = qg.tensorQuant(dq);
  return quant && { q, quant };
}

/** Constant quantized weights read through a DequantizeLinear. */
function dequantizedConstant(qg: QuantGraph, value: string): { name: string; values: Tensor; scale: Tensor; zero?: Tensor; axis: number } | undefined {
  const dq = qg.producer(value);
  if (!dq || dq.domain !== '' || dq.opType !== 'DequantizeLinear') return undefined;
  const values = qg.constant(dq.inputs[0]);
  if (!values || (values.dtype !== 'int8' && values.dtype !== 'uint8')) return undefined;
  const axis = dq.attrs.axis?.kind === 'int' ? dq.attrs.axis.value : 1;
  return { name: dq.inputs[0], values, scale: qg.requireConstant(dq, 1, 'x_scale'), zero: dq.inputs[2] ? qg.requireConstant(dq, 2, 'x_zero_point') : undefined, axis };
}

const CONV_ATTRS = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];

const matchConv: LayerMatcher = (conv, { qg, build }) => {
  const x = dequantizedActivation(qg, conv.inputs[0]);
  const w = dequantizedConstant(qg, conv.inputs[1]);
  const out = x && w && requantizedOutput(qg, conv.outputs[0]);
  if (!x || !w || !out) return undefined;
  const weights = int8Weights(conv, w.name, w.values, w.scale, w.zero, w.axis, 0);
  const M = weights.values.shape[0];
  const bias = int32Bias(qg, conv.inputs[2] ?? '', 1, 0, x.quant.scale, weights.scales, M);
  if (bias === null) return undefined;
  const attrs = Object.fromEntries(Object.entries(conv.attrs).filter(([k]) => CONV_ATTRS.includes(k)));
  return build({ opType: 'Int8Conv', name: conv.name, x: x.q, xQuant: x.quant, weights, bias, out, attrs }, [conv]);
};

const matchGemm: LayerMatcher = (gemm, { qg, build }) => {
  const a = nodeAttrs(gemm) as { alpha: number; beta: number; transA: number; transB: number };
  if (a.transA || a.alpha !== 1 || (gemm.inputs[2] && a.beta !== 1)) return undefined;
  const x = dequantizedActivation(qg, gemm.inputs[0]);
  const w = dequantizedConstant(qg, gemm.inputs[1]);
  const out = x && w && requantizedOutput(qg, gemm.outputs[0]);
  if (!x || !w || !out || w.values.rank !== 2) return undefined;
  const weights = int8Weights(gemm, w.name, w.values, w.scale, w.zero, w.axis, a.transB ? 0 : 1);
  const bias = int32Bias(qg, gemm.inputs[2] ?? '', 2, 1, x.quant.scale, weights.scales, weights.values.shape[0]);
  if (bias === null) return undefined;
  return build({ opType: 'Int8Gemm', name: gemm.name, x: x.q, xQuant: x.quant, weights, bias, out }, [gemm]);
};

/** MatMul of a 2-D activation and [K, M] weights, with an optional Add of a constant or dequantized bias. */
const matchMatMul: LayerMatcher = (matmul, { qg, build }) => {
  const x = dequantizedActivation(qg, matmul.inputs[0]);
  const w = dequantizedConstant(qg, matmul.inputs[1]);
  if (!x || !w || w.values.rank !== 2 || qg.g.values.get(matmul.inputs[0])?.shape.length !== 2) return undefined;
  const replaced: Node[] = [matmul];
  let result = matmul.outputs[0];
  let biasValue = '';
  const add = qg.soleReader(result);
  if (add && add.domain === '' && add.opType === 'Add') {
    const other = add.inputs[0] === result ? add.inputs[1] : add.inputs[0];
    if (qg.constant(other) || qg.producer(other)?.opType === 'DequantizeLinear') {
      biasValue = other;
      replaced.push(add);
      result = add.outputs[0];
    }
  }
  const out = requantizedOutput(qg, result);
  if (!out) return undefined;
  const weights = int8Weights(matmul, w.name, w.values, w.scale, w.zero, w.axis, 1);
  const bias = int32Bias(qg, biasValue, 2, 1, x.quant.scale, weights.scales, weights.values.shape[0]);
  if (bias === null) return undefined;
  return build({ opType: 'Int8Gemm', name: matmul.name, x: x.q, xQuant: x.quant, weights, bias, out }, replaced);
};

export const QDQ_LAYER_MATCHERS: Readonly<Record<string, LayerMatcher>> = { Conv: matchConv, Gemm: matchGemm, MatMul: matchMatMul };

