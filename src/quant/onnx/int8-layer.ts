// The parts of a matched quantized layer as Int8Conv/Int8Gemm hold them: symmetric per-channel weights, an int32 bias,
// the requantized output with its fused clamp; and the node built from them.

import { nodeError } from '../../errors.js';
import { attr } from '../../ir/builder.js';
import type { AttrValue, Graph, Node } from '../../ir/graph.js';
import { sameShape, Tensor } from '../../ir/tensor.js';
import { EDGEPRUNE_DOMAIN, type Int8Clamp } from '../../ops/util/int8-params.js';
import { quantizeScaled, roundHalfToEven } from '../../ops/util/quant-round.js';
import type { GraphNames } from '../graph-names.js';
import type { QuantGraph, TensorQuant } from './quant-graph.js';
import { SYMMETRIC_HINT } from './scheme-check.js';

/** Weights as the int8 ops hold them: int8, output channels first, one scale per tensor or per output channel. */
export interface Int8Weights {
  values: Tensor;
  scales: number[];
}

/**
 * Check and arrange a layer's quantized weights. `outputAxis` is the axis of the output channels in `values` (0 for
 * Conv and Gemm with transB; 1 for MatMul and Gemm without transB, whose [K, M] weights are transposed here);
 * `scaleAxis` the axis a per-axis scale runs along.
 */
export function int8Weights(layer: Node, name: string, values: Tensor, scale: Tensor, zero: Tensor | undefined, scaleAxis: number, outputAxis: 0 | 1): Int8Weights {
  if (values.dtype !== 'int8') {
    throw nodeError(layer, `weights '${name}' are ${values.dtype}; edgeprune's int8 ops take int8 weights (or uint8 with zero point 128)`, SYMMETRIC_HINT);
  }
  const M = values.shape[outputAxis];
  if (scale.size > 1) {
    const axis = scaleAxis < 0 ? scaleAxis + values.rank : scaleAxis;
    if (axis !== outputAxis) {
      throw nodeError(layer, `weights '${name}' are quantized per axis ${axis}, not per output channel (axis ${outputAxis}); edgeprune's int8 weights have one scale per output channel`, SYMMETRIC_HINT);
    }
  }
  const zeros = zero ? zero.toNumbers() : [0];
  const asymmetric = zeros.findIndex((z) => z !== 0);
  if (asymmetric >= 0) {
    throw nodeError(
      layer,
      `weights '${name}' have zero point ${zeros[asymmetric]}${zeros.length > 1 ? ` (channel ${asymmetric})` : ''}: asymmetric weight quantization; edgeprune's int8 weights are symmetric (zero point 0 for int8, 128 for uint8)`,
      SYMMETRIC_HINT,
    );
  }
  const arranged = outputAxis === 0 ? values : transposed(values);
  const data = arranged.data as Int8Array;
  const low = data.indexOf(-128);
  if (low >= 0) throw nodeError(layer, `weight element ${low} of '${name}' is -128; edgeprune's symmetric int8 weights are in [-127, 127]`, SYMMETRIC_HINT);
  return { values: arranged, scales: scale.size === 1 ? [scale.at(0)] : scale.toNumbers().slice(0, M) };
}

/** A 2-D tensor transposed. */
function transposed(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = new Tensor(t.dtype, [cols, rows]);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) (out.data as Int8Array)[c * rows + r] = (t.data as Int8Array)[r * cols + c];
  return out;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const saturateInt32 = (v: number) => Math.min(INT32_MAX, Math.max(INT32_MIN, v));

/** One value per output channel from a constant broadcast along `channelAxis` of a rank-`rank` result; undefined if it does not fit. */
export function perChannel(t: Tensor, rank: number, channelAxis: number, channels: number): number[] | undefined {
  if (t.size === 1) return Array.from({ length: channels }, () => t.at(0));
  if (t.size !== channels || t.rank > rank) return undefined;
  // Right-aligned broadcasting: the channel dimension must sit at channelAxis, every other dimension be 1.
  const offset = rank - t.rank;
  if (t.shape.some((d, i) => (i + offset === channelAxis ? d !== channels : d !== 1))) return undefined;
  return t.toNumbers();
}

/**
 * A layer's bias in units of x_scale·w_scale[m], as int32: from DequantizeLinear of an int32 constant (kept when its
 * scale is fl32(x_scale·w_scale[m]), as quantizers write it, else rescaled with one rounding half to even) or from a
 * float constant (round(b / (x_scale·w_scale[m])), docs/numerics.md). Undefined when there is none; null when it is
 * computed at run time (the layer then stays as it is).
 */
export function int32Bias(qg: QuantGraph, value: string, rank: number, channelAxis: number, xScale: number, wScales: number[], M: number): number[] | undefined | null {
  if (!value) return undefined;
  const unit = (m: number) => xScale * wScales[wScales.length === 1 ? 0 : m];
  const rounded = (real: number[]) => real.map((r, m) => saturateInt32(roundHalfToEven(r / unit(m))));
  const float = qg.constant(value);
  if (float) {
    const b = float.dtype === 'float32' ? perChannel(float, rank, channelAxis, M) : undefined;
    return b ? rounded(b) : null;
  }
  const dq = qg.producer(value);
  const q = dq?.opType === 'DequantizeLinear' ? qg.constant(dq.inputs[0]) : undefined;
  if (!dq || !q || q.dtype !== 'int32' || q.rank !== 1) return null;
  const scale = perChannel(qg.constant(dq.inputs[1])!, 1, 0, M);
  const zeroTensor = dq.inputs[2] ? qg.constant(dq.inputs[2]) : undefined;
  const zero = zeroTensor ? perChannel(zeroTensor, 1, 0, M) : Array.from({ length: M }, () => 0);
  const ints = perChannel(q, 1, 0, M);
  if (!scale || !zero || !ints) return null;
  return ints.map((v, m) => {
    const b = v - zero[m];
    const exact = Math.abs(scale[m] - Math.fround(unit(m))) <= scale[m] * 2 ** -23;
    return exact ? saturateInt32(b) : saturateInt32(roundHalfToEven((b * scale[m]) / unit(m)));
  });
}

/** A layer's output as the int8 ops see it: the QuantizeLinear ending it, its parameters, the fused clamp, and the nodes it replaces. */
export interface Int8Output {
  output: string;
  quant: TensorQuant;
  clamp: Int8Clamp;
  replaced: Node[];
}

/**
 * Follow a float result through an optional Relu or constant Clip into a per-tensor int8 QuantizeLinear, each the
 * only reader of the value before it. Relu clamps at the zero point; Clip's bounds are quantized with the output's
 * scale and zero point (QuantizeLinear's rule) and intersected with [-128, 127]. Undefined when the pattern does not hold.
 */
export function requantizedOutput(qg: QuantGraph, value: string): Int8Output | undefined {
  const replaced: Node[] = [];
  let next = qg.soleReader(value);
  let activation: Node | undefined;
  if (next && next.domain === '' && (next.opType === 'Relu' || next.opType === 'Clip')) {
    activation = next;
    replaced.push(next);
    next = qg.soleReader(next.outputs[0]);
  }
  if (!next || next.domain !== '' || next.opType !== 'QuantizeLinear' || qg.dtype(next.outputs[0]) !== 'int8') return undefined;
  const quant = qg.tensorQuant(next);
  if (!quant) return undefined;
  replaced.push(next);
  let clamp: Int8Clamp = { actMin: -128, actMax: 127 };
  if (activation?.opType === 'Relu') clamp = { actMin: quant.zeroPoint, actMax: 127 };
  if (activation?.opType === 'Clip') {
    const bound = (i: number) => (activation.inputs[i] ? qg.constant(activation.inputs[i]) : undefined);
    const [lo, hi] = [bound(1), bound(2)];
    if ((activation.inputs[1] && !lo) || (activation.inputs[2] && !hi) || (lo && lo.dtype !== 'float32') || (hi && hi.dtype !== 'float32')) return undefined;
    const quantized = (t: Tensor) => quantizeScaled('int8', Math.fround(t.at(0) / quant.scale), quant.zeroPoint);
    clamp = { actMin: lo ? quantized(lo) : -128, actMax: hi ? quantized(hi) : 127 };
    if (clamp.actMin > clamp.actMax) return undefined;
  }
  return { output: next.outputs[0], quant, clamp, replaced };
}

export interface Int8LayerSpec {
  opType: 'Int8Conv' | 'Int8Gemm';
  name: string;
  x: string;
  xQuant: TensorQuant;
  weights: Int8Weights;
  bias?: number[];
  out: Int8Output;
  /** Conv's attributes (Int8Gemm has none but the clamp). */
  attrs?: Record<string, AttrValue>;
}

const sameTensor = (a: Tensor, b: Tensor) => a.dtype === b.dtype && sameShape(a.shape, b.shape) && a.data.every((v, i) => v === b.data[i]);

/**
 * A constant input of a new int8 node, named `<layer>.<part>` (x_scale, weight, ...): an initializer of that name
 * holding the same tensor is reused (so an exported int8 model imports back under its own names), else a fresh name
 * is added.
 */
export function layerConstant(g: Graph, names: GraphNames, layer: string, part: string, t: Tensor): string {
  const hint = `${layer}.${part}`;
  const existing = g.initializers.get(hint);
  return existing && sameTensor(existing, t) ? hint : names.constant(g, hint, t);
}

export const scaleTensor = (values: number[]) => Tensor.fromNumbers('float32', [values.length], values);
export const zeroPointTensor = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

/** The clamp as attributes (the defaults -128 and 127 left out). */
export function clampAttrs(clamp: Int8Clamp): Record<string, AttrValue> {
  return { ...(clamp.actMin !== -128 ? { act_min: attr.int(clamp.actMin) } : {}), ...(clamp.actMax !== 127 ? { act_max: attr.int(clamp.actMax) } : {}) };
}

/** The Int8Conv or Int8Gemm node, with its constants (layerConstant). */
export function int8LayerNode(g: Graph, names: GraphNames, spec: Int8LayerSpec): Node {
  const { name, weights, out } = spec;
  const constant = (part: string, t: Tensor) => layerConstant(g, names, name, part, t);
  const inputs = [
    spec.x,
    constant('x_scale', scaleTensor([spec.xQuant.scale])),
    constant('x_zero_point', zeroPointTensor(spec.xQuant.zeroPoint)),
    constant('weight', weights.values),
    constant('w_scale', scaleTensor(weights.scales)),
    constant('y_scale', scaleTensor([out.quant.scale])),
    constant('y_zero_point', zeroPointTensor(out.quant.zeroPoint)),
  ];
  if (spec.bias) inputs.push(constant('bias', Tensor.fromNumbers('int32', [spec.bias.length], spec.bias)));
  return { name, opType: spec.opType, domain: EDGEPRUNE_DOMAIN, inputs, outputs: [out.output], attrs: { ...(spec.attrs ?? {}), ...clampAttrs(out.clamp) } };
}
