// Int8 graph (ai.edgeprune ops) → QDQ ONNX: DequantizeLinear → standard float op → (Relu/Clip) → QuantizeLinear, as
// onnxruntime's quantize_static writes it, so that onnxruntime and Netron open an int8 model. The file imports back into
// the same int8 ops (src/passes/convert-quantized-onnx.ts), bit for bit.
//
// Int8Conv → DQ(x), DQ(w, per-channel scale, axis 0), DQ(B int32, scale fl32(x_scale·w_scale[m]), axis 0) → Conv →
//            Relu / Clip → QuantizeLinear(y)
// Int8Gemm → the same around Gemm with transB = 1 (w is M x K).
// Int8AveragePool, Int8GlobalAveragePool, Int8Add → DQ of each int8 input → the float op → clamp → QuantizeLinear.
// The fused clamp [act_min, act_max] becomes Relu when it is [y_zero_point, 127], else a Clip whose float bounds
// (act − y_zero_point)·y_scale quantize back to act_min and act_max exactly; [-128, 127] is QuantizeLinear's own
// saturation. QuantizeLinear is monotonic, so clamping before it equals clamping after rounding, as Int8Conv does.
// Adding an int8 op is one entry in INT8_QDQ_LOWERINGS.

import { UserError } from '../../errors.js';
import { attr } from '../../ir/builder.js';
import { cloneGraph, type AttrValue, type Graph, type Node } from '../../ir/graph.js';
import { inferShapes } from '../../ir/infer-shapes.js';
import { Tensor } from '../../ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import { GraphNames } from '../graph-names.js';

/** What a lowering needs: the graph being built, fresh names, and shared dequantized activations. */
export interface QdqLoweringContext {
  readonly g: Graph;
  /** Add a constant under a fresh name. */
  constant(hint: string, value: Tensor): string;
  /** A fresh value name. */
  value(hint: string): string;
  /** Append a standard-domain node named from the hint (made unique). */
  emit(opType: string, nameHint: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrValue>): void;
  /** Append the float op that stands for an int8 node; it takes the int8 node's name (the layer's name in Netron). */
  emitLayer(opType: string, int8Node: Node, inputs: string[], outputs: string[], attrs: Record<string, AttrValue>): void;
  /** The float value of an int8 activation: one DequantizeLinear per (value, scale, zero point), shared by its readers. */
  dequantized(value: string, scale: string, zeroPoint: string): string;
  /** A constant input of the node (scales, zero points, weights), refused when it is computed at run time. */
  constantInput(node: Node, index: number, what: string): Tensor;
}

/** Rewrite one int8 node into standard ops through the context. */
export type Int8Lowering = (node: Node, ctx: QdqLoweringContext) => void;

const INT8_CONV_INPUTS = { x: 0, xScale: 1, xZero: 2, w: 3, wScale: 4, yScale: 5, yZero: 6, bias: 7 } as const;

/** Conv and Gemm share the DQ/Q frame; only the float op in the middle differs. */
function lowerLayer(floatOp: 'Conv' | 'Gemm', extraAttrs: Record<string, AttrValue>): Int8Lowering {
  const I = INT8_CONV_INPUTS;
  return (node, ctx) => {
    const wScale = ctx.constantInput(node, I.wScale, 'w_scale');
    const perChannel = wScale.size > 1;
    const x = ctx.dequantized(node.inputs[I.x], node.inputs[I.xScale], node.inputs[I.xZero]);
    const w = ctx.value(`${node.inputs[I.w]}_dequantized`);
    ctx.emit('DequantizeLinear', `${node.inputs[I.w]}_DequantizeLinear`, [node.inputs[I.w], node.inputs[I.wScale]], [w], perChannel ? { axis: attr.int(0) } : {});
    const inputs = [x, w];
    const biasName = node.inputs[I.bias];
    if (biasName) {
      const xScale = ctx.constantInput(node, I.xScale, 'x_scale').at(0);
      // The bias is in units of x_scale·w_scale[m], rounded to float32 as onnxruntime's quantizer writes it.
      const scale = ctx.constant(`${node.name}.bias_scale`, Tensor.fromNumbers('float32', [wScale.size], wScale.toNumbers().map((s) => Math.fround(xScale * s))));
      const b = ctx.value(`${biasName}_dequantized`);
      ctx.emit('DequantizeLinear', `${biasName}_DequantizeLinear`, [biasName, scale], [b], perChannel ? { axis: attr.int(0) } : {});
      inputs.push(b);
    }
    const attrs: Record<string, AttrValue> = { ...extraAttrs };
    for (const [k, v] of Object.entries(node.attrs)) if (k !== 'act_min' && k !== 'act_max') attrs[k] = v;
    const y = ctx.value(`${node.outputs[0]}_float`);
    ctx.emitLayer(floatOp, node, inputs, [y], attrs);
    quantizeOutput(node, y, ctx, I.yScale, I.yZero);
  };
}

/** Relu or Clip for the fused clamp (nothing for [-128, 127]), then QuantizeLinear into the node's output. */
function quantizeOutput(node: Node, y: string, ctx: QdqLoweringContext, yScaleIndex: number, yZeroIndex: number): void {
  const actMin = node.attrs.act_min?.kind === 'int' ? node.attrs.act_min.value : -128;
  const actMax = node.attrs.act_max?.kind === 'int' ? node.attrs.act_max.value : 127;
  const yScale = ctx.constantInput(node, yScaleIndex, 'y_scale').at(0);
  const yZero = ctx.constantInput(node, yZeroIndex, 'y_zero_point').at(0);
  let clamped = y;
  if (actMin > -128 || actMax < 127) {
    clamped = ctx.value(`${node.outputs[0]}_clamped`);
    if (actMin === yZero && actMax === 127) {
      ctx.emit('Relu', `${node.name}_Relu`, [y], [clamped]);
    } else {
      const bound = (q: number, hint: string) => ctx.constant(`${node.name}.${hint}`, Tensor.scalar('float32', Math.fround((q - yZero) * yScale)));
      const lo = actMin > -128 ? bound(actMin, 'clip_min') : '';
      const hi = actMax < 127 ? bound(actMax, 'clip_max') : '';
      ctx.emit('Clip', `${node.name}_Clip`, hi ? [y, lo, hi] : [y, lo], [clamped]);
    }
  }
  ctx.emit('QuantizeLinear', `${node.outputs[0]}_QuantizeLinear`, [clamped, node.inputs[yScaleIndex], node.inputs[yZeroIndex]], [node.outputs[0]]);
}

/**
 * Ops without weights: each listed (value, scale, zero point) input dequantized, the float op (the int8 node's
 * attributes but the clamp), then the clamp and QuantizeLinear with the y_scale and y_zero_point inputs.
 */
function lowerElementwise(floatOp: string, quantizedInputs: readonly (readonly [number, number, number])[], yScale: number, yZero: number): Int8Lowering {
  return (node, ctx) => {
    const inputs = quantizedInputs.map(([x, scale, zero]) => ctx.dequantized(node.inputs[x], node.inputs[scale], node.inputs[zero]));
    const attrs = Object.fromEntries(Object.entries(node.attrs).filter(([k]) => k !== 'act_min' && k !== 'act_max'));
    const y = ctx.value(`${node.outputs[0]}_float`);
    ctx.emitLayer(floatOp, node, inputs, [y], attrs);
    quantizeOutput(node, y, ctx, yScale, yZero);
  };
}

/** The QDQ form of each int8 op: one entry per op. */
export const INT8_QDQ_LOWERINGS: Readonly<Record<string, Int8Lowering>> = {
  Int8Conv: lowerLayer('Conv', {}),
  Int8Gemm: lowerLayer('Gemm', { transB: attr.int(1) }),
  Int8AveragePool: lowerElementwise('AveragePool', [[0, 1, 2]], 3, 4),
  Int8GlobalAveragePool: lowerElementwise('GlobalAveragePool', [[0, 1, 2]], 3, 4),
  Int8Add: lowerElementwise('Add', [[0, 1, 2], [3, 4, 5]], 6, 7),
};

/** Whether the graph holds edgeprune's own int8 ops. */
export function holdsInt8Ops(g: Graph): boolean {
  return g.nodes.some((n) => n.domain === EDGEPRUNE_DOMAIN);
}

/** The QDQ form of an int8 graph (standard ops only), with types inferred. */
export function lowerInt8ToQdq(source: Graph): Graph {
  const g = cloneGraph(source);
  const names = new GraphNames(g);
  const out: Node[] = [];
  const dequantizedValues = new Map<string, string>();
  const ctx: QdqLoweringContext = {
    g,
    constant: (hint, value) => names.constant(g, hint, value),
    value: (hint) => names.fresh(hint),
    emit(opType, nameHint, inputs, outputs, attrs = {}) {
      out.push({ name: names.fresh(nameHint), opType, domain: '', inputs, outputs, attrs });
    },
    emitLayer(opType, int8Node, inputs, outputs, attrs) {
      out.push({ name: int8Node.name, opType, domain: '', inputs, outputs, attrs });
    },
    dequantized(value, scale, zeroPoint) {
      const key = JSON.stringify([value, scale, zeroPoint]);
      let name = dequantizedValues.get(key);
      if (!name) {
        name = names.fresh(`${value}_dequantized`);
        out.push({ name: names.fresh(`${value}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [value, scale, zeroPoint], outputs: [name], attrs: {} });
        dequantizedValues.set(key, name);
      }
      return name;
    },
    constantInput(node, index, what) {
      const t = g.initializers.get(node.inputs[index]);
      if (!t) throw new UserError(`node '${node.name}' (${node.opType}): ${what} '${node.inputs[index]}' is not a constant, so the node has no QDQ form`);
      return t;
    },
  };
  for (const node of g.nodes) {
    if (node.domain !== EDGEPRUNE_DOMAIN) {
      out.push(node);
      continue;
    }
    const lower = INT8_QDQ_LOWERINGS[node.opType];
    if (!lower) throw new Error(`int8 op ${node.domain}.${node.opType} has no QDQ form (add it to INT8_QDQ_LOWERINGS)`);
    lower(node, ctx);
  }
  g.nodes = out;
  g.values = new Map();
  inferShapes(g);
  return g;
}
