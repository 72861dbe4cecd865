// The int8 graph: QuantizeLinear after each float input, the planned int8 ops with their quantized constants, DequantizeLinear before each output.

import { nodeError } from '../errors.js';
import { emptyGraph, type AttrValue, type Graph, type Node } from '../ir/graph.js';
import { inferShapes } from '../ir/infer-shapes.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { verifyGraph } from '../ir/verify.js';
import { EDGEPRUNE_DOMAIN } from '../ops/util/int8-params.js';
import { MAX_MULTIPLIER_BITS } from './fixed-point.js';
import { narrowWeightScale } from './narrow-multipliers.js';
import type { LayerStep, QuantPlan, Step } from './plan.js';
import { activationClamp, INT32_MAX, MAX_PRODUCT, quantizeBias, quantizeWeights, worstCaseAccumulator, type QuantParams, type WeightGranularity } from './qparams.js';

export interface RewriteInput {
  plan: QuantPlan;
  /** Scale and zero point of every int8 value (float graph names). */
  params: ReadonlyMap<string, QuantParams>;
  /** Parameters of each graph input's QuantizeLinear. */
  inputParams: ReadonlyMap<string, QuantParams>;
  /** Weight scales of the dense layers (Int8Gemm): per output channel (default) or one per tensor. Convs stay per channel. */
  denseWeights?: WeightGranularity;
  /** Significant bits of the Int8Gemm/Int8Conv multipliers (default 31; fewer: narrow multipliers, src/quant/narrow-multipliers.ts). */
  multiplierBits?: number;
  /**
   * Weight scales fixed by layer (the float node's name): float32 [M] per channel, or [1] per tensor, each at least the
   * scale the layer's own weights would get (nested levels: a kept channel keeps the largest level's int8 bytes and scale).
   */
  weightScales?: ReadonlyMap<string, Tensor>;
}

/** What one node (or fused group) of the float graph became. */
export interface QuantizedLayer {
  name: string;
  /** The float op(s): 'Conv', 'Conv+Relu', 'MatMul+Add+Clip'. */
  from: string;
  /** The op it became: 'Int8Conv', 'MaxPool (int8)', 'Softmax (float, after DequantizeLinear)'. */
  to: string;
}

const INT8_OP: Record<LayerStep['kind'], string> = {
  conv: 'Int8Conv',
  dense: 'Int8Gemm',
  add: 'Int8Add',
  'average-pool': 'Int8AveragePool',
  'global-average-pool': 'Int8GlobalAveragePool',
};

/** Attributes an int8 op keeps from its float node. */
const KEPT_ATTRS: Partial<Record<LayerStep['kind'], readonly string[]>> = {
  conv: ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'],
  'average-pool': ['auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'strides'],
};

const int = (value: number): AttrValue => ({ kind: 'int', value });

/** Unique names beside those of the float graph. */
class NameSource {
  private readonly used: Set<string>;
  constructor(names: Iterable<string>) {
    this.used = new Set(names);
  }
  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }
}

class Rewriter {
  readonly out: Graph;
  readonly layers: QuantizedLayer[] = [];
  private readonly values: NameSource;
  private readonly nodeNames: NameSource;
  private readonly io: Set<string>;
  private readonly int8Names = new Map<string, string>();
  private readonly paramNames = new Map<string, [string, string]>();

  constructor(private readonly g: Graph, private readonly r: RewriteInput) {
    this.out = emptyGraph(g.name, g.meta.source);
    this.out.meta = { ...g.meta };
    this.out.inputs = g.inputs.map((v) => ({ ...v, shape: [...v.shape] }));
    this.out.outputs = g.outputs.map((v) => ({ ...v, shape: [...v.shape] }));
    this.values = new NameSource([...g.inputs.map((v) => v.name), ...g.outputs.map((v) => v.name), ...g.initializers.keys(), ...g.values.keys(), ...g.nodes.flatMap((n) => n.outputs)]);
    this.nodeNames = new NameSource(g.nodes.map((n) => n.name));
    this.io = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  }

  /** The int8 value standing for a float value: the same name inside the graph, `<name>_quantized` for a graph input or output. */
  int8(value: string): string {
    let name = this.int8Names.get(value);
    if (!name) {
      name = this.io.has(value) ? this.values.fresh(`${value}_quantized`) : value;
      this.int8Names.set(value, name);
    }
    return name;
  }

  private constant(hint: string, t: Tensor): string {
    const name = this.values.fresh(hint);
    this.out.initializers.set(name, t);
    return name;
  }

  private scaleAndZero(hint: string, p: QuantParams): [string, string] {
    return [this.constant(`${hint}.scale`, Tensor.scalar('float32', p.scale)), this.constant(`${hint}.zero_point`, Tensor.scalar('int8', p.zeroPoint))];
  }

  /** The scale and zero point initializers of an int8 value (one pair per value, shared by its readers). */
  private paramsOf(value: string): [string, string] {
    let names = this.paramNames.get(value);
    if (!names) {
      names = this.scaleAndZero(value, this.qp(value));
      this.paramNames.set(value, names);
    }
    return names;
  }

  private qp(value: string): QuantParams {
    const p = this.r.params.get(value);
    if (!p) throw new Error(`quantization: value '${value}' has no scale`);
    return p;
  }

  private add(hint: string, opType: string, domain: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}, keepName = false): void {
    const name = keepName ? hint : this.nodeNames.fresh(hint);
    // Constant inputs a copied node keeps (a Reshape's shape) come along under their own names.
    for (const i of inputs) {
      const t = i ? this.g.initializers.get(i) : undefined;
      if (t && !this.out.initializers.has(i)) this.out.initializers.set(i, t);
    }
    this.out.nodes.push({ name, opType, domain, inputs, outputs, attrs });
  }

  quantizeInputs(): void {
    for (const input of this.r.plan.inputs) {
      const p = this.r.inputParams.get(input.name)!;
      const [scale, zero] = input.normalization ? this.scaleAndZero(input.name, p) : this.paramsOf(input.value);
      this.add(`${input.name}_quantize`, 'QuantizeLinear', '', [input.name, scale, zero], [this.int8(input.value)]);
      if (input.normalization) this.layers.push({ name: input.normalization.node.name, from: 'BatchNormalization', to: `merged into the QuantizeLinear of '${input.name}'` });
    }
  }

  step(s: Step): void {
    switch (s.kind) {
      case 'pass-through':
      case 'concat': {
        // A pass-through output has its input's scale and zero point: the same initializers.
        if (s.kind === 'pass-through') this.paramNames.set(s.output, this.paramsOf(s.input));
        const inputs = s.node.inputs.map((i) => (i && (s.kind === 'concat' || i === s.node.inputs[0]) ? this.int8(i) : i));
        this.add(s.node.name, s.node.opType, '', inputs, [this.int8(s.output)], { ...s.node.attrs }, true);
        this.layers.push({ name: s.node.name, from: s.node.opType, to: `${s.node.opType} (int8)` });
        return;
      }
      case 'float-tail': {
        const float = this.values.fresh(`${s.input}_dequantized`);
        this.add(`${s.input}_dequantize`, 'DequantizeLinear', '', [this.int8(s.input), ...this.paramsOf(s.input)], [float]);
        this.add(s.node.name, s.node.opType, '', [float], [...s.node.outputs], { ...s.node.attrs }, true);
        this.layers.push({ name: s.node.name, from: s.node.opType, to: `${s.node.opType} (float, after DequantizeLinear)` });
        return;
      }
      case 'index-tail': {
        this.add(s.node.name, 'ArgMax', '', [this.int8(s.input)], [...s.node.outputs], { ...s.node.attrs }, true);
        if (s.dropped) this.layers.push({ name: s.dropped.name, from: 'Softmax', to: 'dropped (monotonic: the ArgMax after it reads its input)' });
        this.layers.push({ name: s.node.name, from: 'ArgMax', to: 'ArgMax (on int8, int64 indices)' });
        return;
      }
      default:
        this.layer(s);
    }
  }

  private layer(s: LayerStep): void {
    const y = this.qp(s.output);
    const { actMin, actMax } = activationClamp(s.act?.bounds, y);
    const attrs: Node['attrs'] = {};
    for (const k of KEPT_ATTRS[s.kind] ?? []) if (s.node.attrs[k]) attrs[k] = s.node.attrs[k];
    attrs.act_min = int(actMin);
    attrs.act_max = int(actMax);
    const inputs = s.inputs.flatMap((v) => [this.int8(v), ...this.paramsOf(v)]);
    if (s.kind === 'conv' || s.kind === 'dense') {
      const x = this.qp(s.inputs[0]);
      const bits = this.r.multiplierBits ?? MAX_MULTIPLIER_BITS;
      const narrow = (sw: number, m: number) => narrowWeightScale(x.scale, sw, y.scale, bits, s.node, m);
      const fixed = this.r.weightScales?.get(s.node.name);
      const adjust = fixed ? fixedWeightScale(s, fixed, bits) : bits < MAX_MULTIPLIER_BITS ? narrow : undefined;
      const { weights, scales } = quantizeWeights(s.weight!, s.kind === 'dense' ? this.r.denseWeights : 'per-channel', adjust);
      if (bits < MAX_MULTIPLIER_BITS) attrs.multiplier_bits = int(bits);
      const bias = quantizeBias(s.bias, x.scale, scales, weights.shape[0]);
      checkAccumulator(s, shapeSize(weights.shape.slice(1)), bias);
      inputs.push(this.constant(`${s.node.name}.weight_quantized`, weights), this.constant(`${s.node.name}.weight_scale`, scales));
      inputs.push(...this.paramsOf(s.output));
      if (s.bias) inputs.push(this.constant(`${s.node.name}.bias_quantized`, bias));
    } else {
      inputs.push(...this.paramsOf(s.output));
    }
    this.add(s.node.name, INT8_OP[s.kind], EDGEPRUNE_DOMAIN, inputs, [this.int8(s.output)], attrs, true);
    const from = [s.node, ...s.absorbed, ...(s.act ? [s.act.node] : [])].map((n) => n.opType).join('+');
    this.layers.push({ name: s.node.name, from, to: INT8_OP[s.kind] });
  }

  dequantizeOutputs(): void {
    const tails = new Set(this.r.plan.steps.filter((s) => s.kind === 'float-tail' || s.kind === 'index-tail').map((s) => s.output));
    for (const o of this.g.outputs) {
      if (tails.has(o.name)) continue;
      this.add(`${o.name}_dequantize`, 'DequantizeLinear', '', [this.int8(o.name), ...this.paramsOf(o.name)], [o.name]);
    }
  }
}

/** The adjust of quantizeWeights that gives a layer its fixed scales (a bug when one is below the layer's own scale). */
function fixedWeightScale(s: LayerStep, fixed: Tensor, bits: number): (own: number, channel: number) => number {
  if (bits < MAX_MULTIPLIER_BITS) throw new Error(`quantization: layer '${s.node.name}' has fixed weight scales and narrow multipliers`);
  return (own, m) => {
    if (m >= fixed.size) throw new Error(`quantization: layer '${s.node.name}' has ${fixed.size} fixed weight scales, no scale for channel ${m}`);
    const scale = fixed.at(m);
    if (!(scale >= own)) throw new Error(`quantization: layer '${s.node.name}' channel ${m}: fixed weight scale ${scale} is below its own ${own} (weights would clip)`);
    return scale;
  };
}

/** Refuse a layer whose int32 accumulator could overflow: taps · 255 · 127 + max|bias| must stay within int32. */
function checkAccumulator(s: LayerStep, taps: number, bias: Tensor): void {
  if (worstCaseAccumulator(taps, bias) <= INT32_MAX) return;
  throw nodeError(
    s.node,
    `each output sums ${taps} int8 products: at worst (255 × 127 each, plus the bias) that leaves the int32 accumulator, which holds at most ${Math.floor(INT32_MAX / MAX_PRODUCT)} taps without a bias`,
    'split the layer (fewer input channels or a smaller kernel) or keep the model in float',
  );
}

export function rewriteToInt8(g: Graph, r: RewriteInput): { graph: Graph; layers: QuantizedLayer[] } {
  const w = new Rewriter(g, r);
  w.quantizeInputs();
  for (const s of r.plan.steps) w.step(s);
  w.dequantizeOutputs();
  inferShapes(w.out);
  verifyGraph(w.out);
  return { graph: w.out, layers: w.layers };
}
