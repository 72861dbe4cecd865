// QOperator layers → int8 ops: QLinearConv → Int8Conv and QLinearMatMul → Int8Gemm (same integer accumulator; the
// requantization becomes edgeprune's fixed-point rule instead of onnxruntime's float one), and the integer forms
// ConvInteger / MatMulInteger → Cast → Mul(x_scale·w_scale) [→ Add bias] [→ Relu | Clip] → QuantizeLinear.

import type { Node } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { int32Bias, int8Weights, perChannel, requantizedOutput, type Int8Output } from './int8-layer.js';
import type { LayerMatcher } from './layer-matcher.js';
import type { QuantGraph, TensorQuant } from './quant-graph.js';
import { SHIFT_INVARIANT_OPS } from './uint8-to-int8.js';

const CONV_ATTRS = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];
const convAttrs = (node: Node) => Object.fromEntries(Object.entries(node.attrs).filter(([k]) => CONV_ATTRS.includes(k)));

/** A non-constant int8 input of rank `rank` (any rank when omitted). */
function isInt8Activation(qg: QuantGraph, value: string, rank?: number): boolean {
  const v = qg.g.values.get(value);
  return !qg.constant(value) && v?.dtype === 'int8' && (rank === undefined || v.shape.length === rank);
}

const quantAt = (qg: QuantGraph, node: Node, scale: number, zero: number): TensorQuant => ({
  scale: qg.constant(node.inputs[scale])!.at(0),
  zeroPoint: node.inputs[zero] ? qg.constant(node.inputs[zero])!.at(0) : 0,
});

/** The output of a QLinear op, as it stands (no clamp: the QOperator form folds activations into the output range). */
function qlinearOutput(qg: QuantGraph, node: Node): Int8Output | undefined {
  if (qg.dtype(node.outputs[0]) !== 'int8') return undefined;
  return { output: node.outputs[0], quant: quantAt(qg, node, 6, 7), clamp: { actMin: -128, actMax: 127 }, replaced: [] };
}

const matchQLinearConv: LayerMatcher = (node, { qg, build }) => {
  const w = qg.constant(node.inputs[3]);
  const out = qlinearOutput(qg, node);
  const bias = node.inputs[8] ? qg.constant(node.inputs[8]) : undefined;
  if (!isInt8Activation(qg, node.inputs[0]) || !w || !out || (node.inputs[8] && !bias)) return undefined;
  const weights = int8Weights(node, node.inputs[3], w, qg.constant(node.inputs[4])!, node.inputs[5] ? qg.constant(node.inputs[5]) : undefined, 0, 0);
  const x = quantAt(qg, node, 1, 2);
  return build({ opType: 'Int8Conv', name: node.name, x: node.inputs[0], xQuant: x, weights, bias: bias?.toNumbers(), out, attrs: convAttrs(node) }, [node]);
};

const matchQLinearMatMul: LayerMatcher = (node, { qg, build }) => {
  const b = qg.constant(node.inputs[3]);
  const out = qlinearOutput(qg, node);
  if (!isInt8Activation(qg, node.inputs[0], 2) || !b || b.rank !== 2 || !out) return undefined;
  const weights = int8Weights(node, node.inputs[3], b, qg.constant(node.inputs[4])!, node.inputs[5] ? qg.constant(node.inputs[5]) : undefined, 1, 1);
  return build({ opType: 'Int8Gemm', name: node.name, x: node.inputs[0], xQuant: quantAt(qg, node, 1, 2), weights, out }, [node]);
};

/** The scale of an int8 activation: from the QuantizeLinear or QLinear op making it (through moving ops), or a DequantizeLinear reading it. */
function activationScale(qg: QuantGraph, value: string): number | undefined {
  const producer = qg.producer(value);
  if (producer?.opType === 'QuantizeLinear') return qg.tensorQuant(producer)?.scale;
  if (producer?.opType === 'QLinearConv' || producer?.opType === 'QLinearMatMul') return qg.constant(producer.inputs[6])?.at(0);
  if (producer && SHIFT_INVARIANT_OPS[producer.opType] && producer.opType !== 'Concat') return activationScale(qg, producer.inputs[0]);
  const dq = qg.readers(value).find((n) => n.opType === 'DequantizeLinear');
  return dq ? qg.tensorQuant(dq)?.scale : undefined;
}

/**
 * ConvInteger / MatMulInteger → Cast(float) → Mul by constants (x_scale·w_scale, per tensor or per output channel)
 * [→ Add constant bias] → output. w_scale is recovered as fl32(product / x_scale), x_scale from the activation.
 */
function matchInteger(kind: 'conv' | 'matmul'): LayerMatcher {
  return (node, { qg, build }) => {
    const w = qg.constant(node.inputs[1]);
    if (!isInt8Activation(qg, node.inputs[0], kind === 'matmul' ? 2 : undefined) || !w || (kind === 'matmul' && w.rank !== 2)) return undefined;
    const xScale = activationScale(qg, node.inputs[0]);
    const cast = qg.soleReader(node.outputs[0]);
    if (xScale === undefined || !cast || cast.opType !== 'Cast' || cast.attrs.to?.kind !== 'int' || cast.attrs.to.value !== 1) return undefined;
    const rank = qg.g.values.get(node.outputs[0])!.shape.length;
    const M = kind === 'conv' ? w.shape[0] : w.shape[1];
    const replaced: Node[] = [node, cast];
    let result = cast.outputs[0];
    let product: number[] | undefined;
    for (let mul = qg.soleReader(result); mul?.opType === 'Mul'; mul = qg.soleReader(result)) {
      const other = qg.constant(mul.inputs[0] === result ? mul.inputs[1] : mul.inputs[0]);
      const factor = other?.dtype === 'float32' ? perChannel(other, rank, 1, M) : undefined;
      if (!factor) break;
      product = (product ?? factor.map(() => 1)).map((p, m) => p * factor[m]);
      replaced.push(mul);
      result = mul.outputs[0];
    }
    if (!product) return undefined;
    let biasValue = '';
    const add = qg.soleReader(result);
    if (add?.opType === 'Add') {
      const other = add.inputs[0] === result ? add.inputs[1] : add.inputs[0];
      if (qg.constant(other)) {
        biasValue = other;
        replaced.push(add);
        result = add.outputs[0];
      }
    }
    const out = requantizedOutput(qg, result);
    if (!out) return undefined;
    const perTensor = product.every((p) => p === product![0]);
    const wScale = Tensor.fromNumbers('float32', [perTensor ? 1 : M], (perTensor ? [product[0]] : product).map((p) => Math.fround(p / xScale)));
    const zero = node.inputs[3] ? qg.constant(node.inputs[3]) : undefined;
    const weights = int8Weights(node, node.inputs[1], w, wScale, zero, kind === 'conv' ? 0 : 1, kind === 'conv' ? 0 : 1);
    const bias = int32Bias(qg, biasValue, rank, 1, xScale, weights.scales, M);
    if (bias === null) return undefined;
    const xZero = node.inputs[2] ? qg.constant(node.inputs[2])!.at(0) : 0;
    const spec = { x: node.inputs[0], xQuant: { scale: xScale, zeroPoint: xZero }, weights, bias, out, name: node.name };
    return build(kind === 'conv' ? { ...spec, opType: 'Int8Conv', attrs: convAttrs(node) } : { ...spec, opType: 'Int8Gemm' }, replaced);
  };
}

export const QLINEAR_LAYER_MATCHERS: Readonly<Record<string, LayerMatcher>> = {
  QLinearConv: matchQLinearConv,
  QLinearMatMul: matchQLinearMatMul,
  ConvInteger: matchInteger('conv'),
  MatMulInteger: matchInteger('matmul'),
};
