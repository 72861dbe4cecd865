// The scale and zero point of every quantized tensor of a graph, read from the ops that define them, for inspect.

import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../ops/util/int8-params.js';

/** A tensor's quantization: one scale and zero point (per tensor) or one per channel along `axis`. */
export interface TensorQuantization {
  scale: number | number[];
  zeroPoint: number | number[];
  /** The channel axis of per-channel parameters. */
  axis?: number;
}

/** Where an op with quantized inputs and outputs keeps their parameters: [tensor input, scale input, zero point input (-1: zero)]. */
interface QuantSlots {
  inputs: [number, number, number][];
  /** Output 0's scale and zero point inputs. */
  output?: [number, number];
  /** The int32 bias input: scale x_scale × w_scale, zero point 0. */
  bias?: number;
}

const INT8_LAYER: QuantSlots = { inputs: [[0, 1, 2], [3, 4, -1]], output: [5, 6], bias: 7 };
const QLINEAR: QuantSlots = { inputs: [[0, 1, 2], [3, 4, 5]], output: [6, 7], bias: 8 };

/** The int32 bias of a quantized layer: scale x_scale × w_scale (per channel when the weights are), zero point 0. */
function biasQuantization(x: TensorQuantization | undefined, w: TensorQuantization | undefined): TensorQuantization | undefined {
  if (!x || !w || Array.isArray(x.scale)) return undefined;
  const sx = x.scale;
  if (!Array.isArray(w.scale)) return { scale: Math.fround(sx * w.scale), zeroPoint: 0 };
  return { scale: w.scale.map((sw) => Math.fround(sx * sw)), zeroPoint: 0 };
}

function slotsOf(node: Node): QuantSlots | undefined {
  if (node.domain === EDGEPRUNE_DOMAIN && (node.opType === 'Int8Conv' || node.opType === 'Int8Gemm')) return INT8_LAYER;
  if (node.domain !== '') return undefined;
  if (node.opType === 'QLinearConv' || node.opType === 'QLinearMatMul') return QLINEAR;
  if (node.opType === 'DequantizeLinear') return { inputs: [[0, 1, 2]] };
  if (node.opType === 'QuantizeLinear') return { inputs: [], output: [1, 2] };
  return undefined;
}

/** Ops whose int8 output holds the input's values rearranged or selected: the same scale and zero point. */
const PASS_THROUGH = new Set(['MaxPool', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Transpose', 'GlobalMaxPool', 'Pad', 'Slice', 'Gather']);

const values = (t: Tensor): number[] => Array.from(t.data as ArrayLike<number>);

/** Quantization of the tensor whose scale and zero point are the constants `scale` and `zero` (absent zero: 0). */
function read(g: Graph, scale: string | undefined, zero: string | undefined): TensorQuantization | undefined {
  const s = scale ? g.initializers.get(scale) : undefined;
  if (!s) return undefined;
  const z = zero ? g.initializers.get(zero) : undefined;
  const scales = values(s);
  const zeros = z ? values(z) : scales.map(() => 0);
  if (scales.length === 1) return { scale: scales[0], zeroPoint: zeros[0] };
  return { scale: scales, zeroPoint: zeros.length === 1 ? zeros[0] : zeros };
}

/** The quantization of every tensor the graph's quantized ops describe (constant scales and zero points only). */
export function tensorQuantization(g: Graph): Map<string, TensorQuantization> {
  const found = new Map<string, TensorQuantization>();
  const note = (name: string | undefined, q: TensorQuantization | undefined, axis?: number) => {
    if (name && q && !found.has(name)) found.set(name, Array.isArray(q.scale) && axis !== undefined ? { ...q, axis } : q);
  };
  for (const node of g.nodes) {
    const slots = slotsOf(node);
    if (slots) {
      const axisAttr = node.attrs.axis?.kind === 'int' ? node.attrs.axis.value : 1;
      slots.inputs.forEach(([t, s, z], k) => {
        const axis = node.opType === 'DequantizeLinear' ? axisAttr : k === 1 ? (node.opType === 'QLinearMatMul' ? 1 : 0) : undefined;
        note(node.inputs[t], read(g, node.inputs[s], z >= 0 ? node.inputs[z] : undefined), axis);
      });
      if (slots.output) note(node.outputs[0], read(g, node.inputs[slots.output[0]], node.inputs[slots.output[1]]), node.opType === 'QuantizeLinear' ? axisAttr : undefined);
      if (slots.bias !== undefined) note(node.inputs[slots.bias], biasQuantization(found.get(node.inputs[0]), found.get(node.inputs[3])), 0);
    } else if (node.domain === '' && PASS_THROUGH.has(node.opType)) {
      const q = found.get(node.inputs[0]);
      if (q) note(node.outputs[0], q);
    }
  }
  return found;
}

/** "int8 s=0.0235 zp=-128", "int8 s=8 per-channel zp=0", or the dtype alone. */
export function describeQuantization(dtype: string, q: TensorQuantization | undefined): string {
  if (!q) return dtype;
  const num = (x: number) => Number(x.toPrecision(4)).toString();
  const scale = Array.isArray(q.scale) ? `${q.scale.length} per-channel scales ${num(Math.min(...q.scale))}..${num(Math.max(...q.scale))}` : `s=${num(q.scale)}`;
  const zero = Array.isArray(q.zeroPoint) ? `zp per channel` : `zp=${q.zeroPoint}`;
  return `${dtype} ${scale} ${zero}`;
}
