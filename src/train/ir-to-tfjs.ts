// IR graph → a training plan: the Keras layers (pure data, no tensors) a TF.js model of the graph is built from
// (build-tfjs-model.ts).
//
// Planning walks the nodes in order and maps each to Keras layers (functional API). Every IR value
// is held by a TF.js tensor with a layout permutation (see layout.ts); layers that need a layout
// (convolutions and pools want channels-last, Flatten and Reshape the IR's own order) get a
// Permute in front, shared between readers. Transposes that keep the batch first cost nothing:
// they only change the permutation. Nodes that cannot be mapped are collected with a reason; the
// plan of a graph with such nodes is never built.

import { UserError } from '../errors.js';
import { staticInfo, type Graph, type Node } from '../ir/graph.js';
import { evaluateNode, nodeAttrs } from '../ir/interpreter.js';
import { Tensor } from '../ir/tensor.js';
import type { ConvAttrs } from '../ops/util/conv-geometry.js';
import { convGeometry } from '../ops/util/conv-geometry.js';
import { resolveWindow, type PoolWindowAttrs } from '../ops/util/nn-pool.js';
import { resolvePads } from '../ops/pad.js';
import {
  channelsLastPerm,
  heldAxis,
  identityPerm,
  isIdentity,
  permuteDims,
  samePerm,
  transposedPerm,
  type Perm,
  type WeightLayout,
} from './layout.js';

/** A node the bridge cannot train, and why. */
export interface Untrainable {
  node: string;
  op: string;
  reason: string;
}

/** The Keras layer weights an initializer is bound to. */
export type WeightRole = 'kernel' | 'depthwise_kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';

export interface ParamBinding {
  /** IR initializer name. */
  initializer: string;
  /** Keras layer name and weight within it. */
  layer: string;
  role: WeightRole;
  /** Updated by the optimizer (false for BatchNormalization statistics). */
  trainable: boolean;
  irShape: number[];
  layout: WeightLayout;
}

/** One Keras layer of the plan: its class, config, inputs and output (indices of plan tensors). */
export interface LayerStep {
  className: LayerClass;
  config: Record<string, unknown>;
  inputs: number[];
  output: number;
  /** The IR node it comes from ('' for layout and shape helpers). */
  node: string;
}

export type OutputKind = 'probabilities' | 'logits';

export interface TrainPlan {
  name: string;
  input: { name: string; shape: number[] };
  output: { name: string; shape: number[]; kind: OutputKind };
  steps: LayerStep[];
  /** Plan tensor 0 is the model input; the output tensor index. */
  outputTensor: number;
  params: ParamBinding[];
  problems: Untrainable[];
  /** The plan tensor holding each computed IR value (any layout; aliases share their source's tensor). */
  values: Record<string, number>;
}

/** Keras layer classes the bridge creates (and reads back from TF.js model files). */
export type LayerClass =
  | 'Conv2D'
  | 'DepthwiseConv2D'
  | 'Dense'
  | 'BatchNormalization'
  | 'ReLU'
  | 'LeakyReLU'
  | 'Activation'
  | 'Softmax'
  | 'MaxPooling2D'
  | 'AveragePooling2D'
  | 'GlobalAveragePooling2D'
  | 'GlobalMaxPooling2D'
  | 'Flatten'
  | 'Reshape'
  | 'Permute'
  | 'ZeroPadding2D'
  | 'Add'
  | 'Concatenate';

/** A reason a node cannot be trained (caught per node while planning). */
class Refusal extends Error {}
function refuse(reason: string): never {
  throw new Refusal(reason);
}

interface Held {
  tensor: number;
  perm: number[];
  shape: number[];
  /** The tensor holds the value flattened to [N, rest] in IR order (a global pool's output). */
  flat?: boolean;
}

const NHWC = channelsLastPerm(4);

/** Valid Keras names: letters, digits, '_', '.', '-', starting with a letter or digit. */
function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z0-9]/.test(s) ? s : `n${s}`;
}

class Planner {
  readonly steps: LayerStep[] = [];
  readonly params: ParamBinding[] = [];
  readonly problems: Untrainable[] = [];
  private readonly held = new Map<string, Held>();
  private readonly consts = new Map<string, Tensor>();
  private readonly converted = new Map<string, number>();
  private readonly names = new Set<string>();
  private readonly uses = new Map<string, string[]>();
  /** IR values whose producer was folded into an earlier layer (MatMul + Add bias). */
  private readonly fused = new Set<Node>();
  private tensors = 1;

  constructor(private readonly g: Graph) {
    for (const [name, t] of g.initializers) this.consts.set(name, t);
    for (const n of g.nodes) for (const i of n.inputs) if (i) this.uses.set(i, [...(this.uses.get(i) ?? []), n.name]);
  }

  plan(): TrainPlan {
    const g = this.g;
    const input = g.inputs[0];
    let inputShape: number[] = [];
    if (g.inputs.length !== 1) this.problem('(graph)', 'Graph', `has ${g.inputs.length} inputs; the bridge trains models with exactly one input`);
    if (g.outputs.length !== 1) this.problem('(graph)', 'Graph', `has ${g.outputs.length} outputs; the bridge trains models with exactly one output`);
    if (input) {
      inputShape = input.shape.map((d) => (typeof d === 'number' ? d : NaN));
      if (input.dtype !== 'float32') this.problem(input.name, 'input', `has type ${input.dtype}; only float32 inputs train`);
      if (inputShape.some((d) => Number.isNaN(d))) this.problem(input.name, 'input', `has a dynamic shape; fix it first (--input-shape)`);
      if (inputShape.length < 2) this.problem(input.name, 'input', `has rank ${inputShape.length}; the first dimension must be the batch, followed by the features`);
      this.held.set(input.name, { tensor: 0, perm: identityPerm(inputShape.length), shape: inputShape });
      this.names.add(sanitize(input.name));
    }
    // Other graph inputs are already reported; readers of them are not reported again.
    for (const other of g.inputs.slice(1)) this.held.set(other.name, { tensor: -1, perm: identityPerm(other.shape.length), shape: other.shape.map(Number) });
    for (const node of g.nodes) {
      if (this.fused.has(node)) continue;
      try {
        this.planNode(node);
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        this.problem(node.name, node.opType, e.message);
        this.poison(node);
      }
    }
    const out = g.outputs[0];
    let outputTensor = -1;
    let kind: OutputKind = 'logits';
    let outShape: number[] = [];
    if (out) {
      outShape = staticInfo(g, out.name).shape;
      const h = this.held.get(out.name);
      if (!h) {
        if (this.consts.has(out.name)) this.problem(out.name, 'output', 'is a constant; nothing to train');
      } else if (h.tensor >= 0) {
        outputTensor = this.ensure(h, identityPerm(h.perm.length), out.name);
      }
      const producer = g.nodes.find((n) => n.outputs.includes(out.name));
      if (producer?.opType === 'Softmax') kind = 'probabilities';
    }
    return {
      name: sanitize(g.name || 'model'),
      input: { name: input ? sanitize(input.name) : 'input', shape: inputShape },
      output: { name: out?.name ?? '', shape: outShape, kind },
      steps: this.steps,
      outputTensor,
      params: this.params,
      problems: this.problems,
      values: Object.fromEntries([...this.held].filter(([, h]) => h.tensor >= 0).map(([name, h]) => [name, h.tensor])),
    };
  }

  private problem(node: string, op: string, reason: string): void {
    this.problems.push({ node, op, reason });
  }

  /** Outputs of a refused node still get a (placeholder) layout, so that later nodes are checked too. */
  private poison(node: Node): void {
    for (const o of node.outputs) {
      if (!o || this.held.has(o) || this.consts.has(o)) continue;
      const shape = this.g.values.get(o)?.shape.map(Number) ?? [];
      this.held.set(o, { tensor: -1, perm: identityPerm(shape.length), shape });
    }
  }

  private shapeOf(name: string): number[] {
    return staticInfo(this.g, name).shape;
  }

  /** How input `index` is held; a flattened value is unflattened unless the reader takes it (`allowFlat`). */
  private activation(node: Node, index: number, allowFlat = false): Held {
    const name = node.inputs[index];
    const h = name ? this.held.get(name) : undefined;
    if (!h) {
      if (name && this.consts.has(name)) refuse(`input ${index} ('${name}') is a constant; the bridge trains ops whose data input comes from the model input`);
      refuse(`input ${index} is missing`);
    }
    return allowFlat ? h : this.unflat(h, name);
  }

  /** A flattened value in its IR shape again (a shared Reshape), held in IR order. */
  private unflat(h: Held, nameHint: string): Held {
    if (!h.flat) return h;
    const key = `${h.tensor}:unflat`;
    let t = this.converted.get(key);
    if (t === undefined) {
      t = this.add('Reshape', { targetShape: h.shape.slice(1) }, [h.tensor], '', `${nameHint}_unflatten`);
      this.converted.set(key, t);
    }
    return { tensor: t, perm: identityPerm(h.shape.length), shape: h.shape };
  }

  private constant(node: Node, index: number, what: string): Tensor {
    const t = node.inputs[index] ? this.consts.get(node.inputs[index]) : undefined;
    if (!t) refuse(`${what} must be a constant (an initializer)`);
    return t;
  }

  /** A trained parameter: a float32 initializer read by this node only. */
  private param(node: Node, index: number, what: string): Tensor {
    const name = node.inputs[index];
    const t = name ? this.g.initializers.get(name) : undefined;
    if (!t) refuse(`${what} must be an initializer to be trained`);
    if (t.dtype !== 'float32') refuse(`${what} '${name}' has type ${t.dtype}; only float32 parameters train`);
    const readers = this.uses.get(name) ?? [];
    if (readers.length > 1) refuse(`${what} '${name}' is shared with node(s) ${readers.filter((r) => r !== node.name).map((r) => `'${r}'`).join(', ')}; shared weights do not train`);
    return t;
  }

  private bind(initializer: string, layer: string, role: WeightRole, layout: WeightLayout, trainable = true): void {
    this.params.push({ initializer, layer, role, trainable, irShape: [...this.g.initializers.get(initializer)!.shape], layout });
  }

  private layerName(base: string): string {
    let name = sanitize(base);
    for (let i = 1; this.names.has(name); i++) name = `${sanitize(base)}_${i}`;
    this.names.add(name);
    return name;
  }

  private add(className: LayerClass, config: Record<string, unknown>, inputs: number[], node: string, nameHint: string): number {
    const output = inputs.includes(-1) ? -1 : this.tensors++;
    const name = this.layerName(nameHint);
    if (output >= 0) this.steps.push({ className, config: { ...config, name }, inputs, output, node });
    return output;
  }

  /** The tensor holding `h` with permutation `perm` (a shared Permute when it differs). */
  private ensure(h: Held, perm: Perm, nameHint: string): number {
    h = this.unflat(h, nameHint);
    if (samePerm(h.perm, perm) || h.tensor < 0) return h.tensor;
    const key = `${h.tensor}:${perm.join(',')}`;
    const hit = this.converted.get(key);
    if (hit !== undefined) return hit;
    const t = this.add('Permute', { dims: permuteDims(h.perm, perm) }, [h.tensor], '', `${nameHint}_${isIdentity(perm) ? 'to_ir_layout' : 'to_channels_last'}`);
    this.converted.set(key, t);
    return t;
  }

  private setOut(node: Node, tensor: number, perm: number[], index = 0): void {
    const name = node.outputs[index];
    this.held.set(name, { tensor, perm, shape: this.shapeOf(name) });
  }

  private planNode(node: Node): void {
    if (node.domain !== '') refuse(`ops of domain '${node.domain}' have no TF.js layer`);
    // Nodes of constants only (shape arithmetic left over) are computed once, here.
    const present = node.inputs.filter((i) => i);
    if ((present.length > 0 && present.every((i) => this.consts.has(i))) || (node.opType === 'Constant' && present.length === 0)) {
      const outs = evaluateNode(node, node.inputs.map((i) => (i ? this.consts.get(i) : undefined)));
      node.outputs.forEach((o, i) => o && this.consts.set(o, outs[i]));
      return;
    }
    const used = (o: string) => this.uses.has(o) || this.g.outputs.some((go) => go.name === o);
    if (node.outputs.slice(1).some((o) => o && used(o))) {
      refuse(`its extra outputs (${node.outputs.slice(1).filter((o) => o).join(', ')}) are used; only the first output trains`);
    }
    const handler = HANDLERS[node.opType];
    if (!handler) refuse(`no TF.js layer for ${node.opType}`);
    handler(this, node);
  }

  // --- one handler per op (see HANDLERS); each refuses with a reason or maps the node ---

  conv(node: Node): void {
    const x = this.activation(node, 0);
    if (x.shape.length !== 4) refuse(`input has rank ${x.shape.length}; only 2-D convolutions (N x C x H x W) train`);
    const w = this.param(node, 1, 'weight W');
    const bias = node.inputs[2] ? this.param(node, 2, 'bias B') : undefined;
    const attrs = nodeAttrs(node) as ConvAttrs;
    const geo = convGeometry(x.shape, w.shape, attrs, node);
    if (geo.dilations.some((d) => d !== 1)) refuse(`dilations ${geo.dilations.join('x')}: TF.js has no gradients for dilated convolutions`);
    const [M, , kh, kw] = w.shape;
    const C = x.shape[1];
    const depthwise = attrs.group === C && w.shape[1] === 1 && attrs.group > 1;
    if (attrs.group !== 1 && !depthwise) refuse(`group ${attrs.group}: only group 1 and depthwise (group = input channels) convolutions train`);
    const padding = windowPadding(x.shape.slice(2), [kh, kw], geo.strides, geo.geometry, 'zeros', true);
    if (!padding) refuse('its padding cannot be expressed in TF.js');
    let t = this.ensure(x, NHWC, node.name);
    if (padding.mode === 'zero') t = this.add('ZeroPadding2D', { padding: padding.pads, dataFormat: 'channelsLast' }, [t], '', `${node.name}_pad`);
    const common = { kernelSize: [kh, kw], strides: geo.strides, padding: padding.mode === 'same' ? 'same' : 'valid', dataFormat: 'channelsLast', useBias: !!bias, biasInitializer: 'zeros' };
    const name = node.name;
    const out = depthwise
      ? this.add('DepthwiseConv2D', { ...common, depthMultiplier: M / C, depthwiseInitializer: 'zeros' }, [t], name, name)
      : this.add('Conv2D', { ...common, filters: M, dilationRate: [1, 1], kernelInitializer: 'zeros' }, [t], name, name);
    const layer = this.lastName(out);
    this.bind(node.inputs[1], layer, depthwise ? 'depthwise_kernel' : 'kernel', depthwise ? { kind: 'depthwise', channels: C } : { kind: 'conv' });
    if (bias) this.bind(node.inputs[2], layer, 'bias', { kind: 'same' });
    this.setOut(node, out, NHWC);
  }

  private lastName(tensor: number): string {
    const step = this.steps.find((s) => s.output === tensor);
    return step ? String(step.config.name) : '';
  }

  gemm(node: Node): void {
    const a = nodeAttrs(node) as { alpha: number; beta: number; transA: boolean; transB: boolean };
    if (a.transA) refuse('transA = 1: the data input must be N x K');
    if (a.alpha !== 1) refuse(`alpha ${a.alpha}: only alpha = 1 trains`);
    const x = this.activation(node, 0);
    const w = this.param(node, 1, 'weight B');
    const N = a.transB ? w.shape[0] : w.shape[1];
    let bias: Tensor | undefined;
    if (node.inputs[2]) {
      if (a.beta !== 1) refuse(`beta ${a.beta}: only beta = 1 trains`);
      bias = this.param(node, 2, 'bias C');
      if (bias.size !== N && bias.size !== 1) refuse(`bias C has shape ${bias.shape.join('x')}; only one bias per output (N or 1 x N) trains`);
    }
    const out = this.add('Dense', { units: N, useBias: !!bias, kernelInitializer: 'zeros', biasInitializer: 'zeros' }, [x.tensor], node.name, node.name);
    const layer = this.lastName(out);
    this.bind(node.inputs[1], layer, 'kernel', a.transB ? { kind: 'transpose2d' } : { kind: 'same' });
    if (bias) this.bind(node.inputs[2], layer, 'bias', bias.size === N ? { kind: 'vector' } : { kind: 'broadcast', size: N });
    this.setOut(node, out, identityPerm(2));
  }

  matMul(node: Node): void {
    const x = this.activation(node, 0);
    const w = this.param(node, 1, 'input B');
    if (w.rank !== 2) refuse(`input B has rank ${w.rank}; only a K x N matrix trains (as a Dense layer)`);
    if (x.shape.length < 2) refuse(`input A has rank ${x.shape.length}; expected N x ... x K`);
    const N = w.shape[1];
    // MatMul followed by Add of a constant per-output vector (as TF exports Dense) becomes one Dense with bias.
    const readers = this.uses.get(node.outputs[0]) ?? [];
    const addNode = readers.length === 1 ? this.g.nodes.find((n) => n.name === readers[0]) : undefined;
    const isGraphOut = this.g.outputs.some((o) => o.name === node.outputs[0]);
    let biasIndex = -1;
    if (addNode && addNode.opType === 'Add' && !isGraphOut) {
      biasIndex = addNode.inputs.findIndex((i, k) => i !== node.outputs[0] && k < 2);
      const b = biasIndex >= 0 ? this.g.initializers.get(addNode.inputs[biasIndex]) : undefined;
      const shareFree = b && (this.uses.get(addNode.inputs[biasIndex]) ?? []).length === 1;
      if (!b || !shareFree || b.dtype !== 'float32' || b.size !== N || b.shape[b.rank - 1] !== N || b.rank > x.shape.length) biasIndex = -1;
    }
    const t = this.ensure(x, identityPerm(x.shape.length), node.name);
    const out = this.add('Dense', { units: N, useBias: biasIndex >= 0, kernelInitializer: 'zeros', biasInitializer: 'zeros' }, [t], node.name, node.name);
    const layer = this.lastName(out);
    this.bind(node.inputs[1], layer, 'kernel', { kind: 'same' });
    if (biasIndex >= 0 && addNode) {
      this.bind(addNode.inputs[biasIndex], layer, 'bias', { kind: 'vector' });
      this.fused.add(addNode);
      this.held.set(node.outputs[0], { tensor: -1, perm: identityPerm(x.shape.length), shape: this.shapeOf(node.outputs[0]) });
      this.setOut(addNode, out, identityPerm(x.shape.length));
      return;
    }
    this.setOut(node, out, identityPerm(x.shape.length));
  }

  batchNorm(node: Node): void {
    let x = this.activation(node, 0);
    const names = ['scale', 'B', 'input_mean', 'input_var'];
    for (let i = 1; i <= 4; i++) this.param(node, i, names[i - 1]);
    // TF.js's batch-norm gradient breaks on a channel axis that is not the last one: images go channels-last.
    if (x.shape.length === 4) x = { ...x, tensor: this.ensure(x, NHWC, node.name), perm: NHWC };
    const axis = heldAxis(x.perm, 1);
    const out = this.add(
      'BatchNormalization',
      {
        axis,
        epsilon: (nodeAttrs(node) as { epsilon: number }).epsilon,
        center: true,
        scale: true,
        gammaInitializer: 'ones',
        betaInitializer: 'zeros',
        movingMeanInitializer: 'zeros',
        movingVarianceInitializer: 'ones',
      },
      [x.tensor],
      node.name,
      node.name,
    );
    const layer = this.lastName(out);
    this.bind(node.inputs[1], layer, 'gamma', { kind: 'same' });
    this.bind(node.inputs[2], layer, 'beta', { kind: 'same' });
    this.bind(node.inputs[3], layer, 'moving_mean', { kind: 'same' }, false);
    this.bind(node.inputs[4], layer, 'moving_variance', { kind: 'same' }, false);
    this.setOut(node, out, x.perm);
  }

  /** An elementwise layer: any layout in, the same layout out. */
  unary(node: Node, className: LayerClass, config: Record<string, unknown>): void {
    const x = this.activation(node, 0, true);
    this.setOut(node, this.add(className, config, [x.tensor], node.name, node.name), x.perm);
    if (x.flat) this.held.get(node.outputs[0])!.flat = true;
  }

  alias(node: Node): void {
    const x = this.activation(node, 0, true);
    this.held.set(node.outputs[0], { ...x, shape: this.shapeOf(node.outputs[0]) });
  }

  clip(node: Node): void {
    const scalar = (i: number, what: string): number | undefined => {
      if (!node.inputs[i]) return undefined;
      const t = this.constant(node, i, what);
      return t.at(0);
    };
    const lo = scalar(1, 'min');
    const hi = scalar(2, 'max');
    if (lo === undefined && hi === undefined) return this.alias(node);
    if (lo !== 0) refuse(`min ${lo ?? '-inf'}: only Clip(0, max) trains (as ReLU with a maximum, e.g. ReLU6)`);
    this.unary(node, 'ReLU', hi === undefined ? {} : { maxValue: hi });
  }

  softmax(node: Node): void {
    const x = this.activation(node, 0);
    let axis = (nodeAttrs(node) as { axis: number }).axis;
    if (axis < 0) axis += x.shape.length;
    if (axis === 0) refuse('normalizes over the batch axis');
    this.setOut(node, this.add('Softmax', { axis: heldAxis(x.perm, axis) }, [x.tensor], node.name, node.name), x.perm);
  }

  pool(node: Node): void {
    const max = node.opType === 'MaxPool';
    const x = this.activation(node, 0);
    if (x.shape.length !== 4) refuse(`input has rank ${x.shape.length}; only 2-D pooling (N x C x H x W) trains`);
    const attrs = nodeAttrs(node) as PoolWindowAttrs & { countIncludePad?: boolean };
    const { win, geometry } = resolveWindow(x.shape, attrs, node);
    if (win.dilations.some((d) => d !== 1)) refuse(`dilations ${win.dilations.join('x')} have no TF.js pooling layer`);
    const padding = windowPadding(x.shape.slice(2), win.kernel, win.strides, geometry, !max && attrs.countIncludePad === true ? 'zeros' : 'ignored', false);
    if (!padding) refuse(`its padding (pads ${[...geometry.padBegin, ...geometry.padEnd].join(',')}${attrs.ceilMode ? ', ceil_mode' : ''}) cannot be expressed in TF.js`);
    let t = this.ensure(x, NHWC, node.name);
    if (padding.mode === 'zero') t = this.add('ZeroPadding2D', { padding: padding.pads, dataFormat: 'channelsLast' }, [t], '', `${node.name}_pad`);
    const out = this.add(
      max ? 'MaxPooling2D' : 'AveragePooling2D',
      { poolSize: win.kernel, strides: win.strides, padding: padding.mode === 'same' ? 'same' : 'valid', dataFormat: 'channelsLast' },
      [t],
      node.name,
      node.name,
    );
    this.setOut(node, out, NHWC);
  }

  globalPool(node: Node): void {
    const x = this.activation(node, 0);
    if (x.shape.length !== 4) refuse(`input has rank ${x.shape.length}; only N x C x H x W trains`);
    const t = this.ensure(x, NHWC, node.name);
    const className = node.opType === 'GlobalAveragePool' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
    // [N, C] is the output [N, C, 1, 1] flattened: a Flatten after it costs nothing.
    const pooled = this.add(className, { dataFormat: 'channelsLast' }, [t], node.name, node.name);
    this.held.set(node.outputs[0], { tensor: pooled, perm: identityPerm(4), shape: this.shapeOf(node.outputs[0]), flat: true });
  }

  /** Flatten, Reshape, Squeeze, Unsqueeze: same elements per sample in the IR's own order. */
  reshape(node: Node): void {
    const x = this.activation(node, 0, true);
    const outShape = this.shapeOf(node.outputs[0]);
    if (outShape[0] !== x.shape[0]) refuse(`changes the batch dimension (${x.shape.join('x')} → ${outShape.join('x')})`);
    if (outShape.length === x.shape.length && outShape.every((d, i) => d === x.shape[i])) return this.alias(node);
    if (x.flat && outShape.length === 2) {
      this.held.set(node.outputs[0], { tensor: x.tensor, perm: identityPerm(2), shape: outShape });
      return;
    }
    const t = x.flat ? x.tensor : this.ensure(x, identityPerm(x.shape.length), node.name);
    const out =
      outShape.length === 2
        ? this.add('Flatten', {}, [t], node.name, node.name)
        : this.add('Reshape', { targetShape: outShape.slice(1) }, [t], node.name, node.name);
    this.setOut(node, out, identityPerm(outShape.length));
  }

  transpose(node: Node): void {
    const x = this.activation(node, 0);
    const p = (nodeAttrs(node) as { perm?: number[] }).perm ?? identityPerm(x.shape.length).reverse();
    if (p[0] !== 0) refuse(`perm [${p.join(', ')}] moves the batch axis`);
    this.held.set(node.outputs[0], { tensor: x.tensor, perm: transposedPerm(p, x.perm), shape: this.shapeOf(node.outputs[0]) });
  }

  dropout(node: Node): void {
    if (node.inputs[2]) {
      const training = this.consts.get(node.inputs[2]);
      if (!training || training.at(0) !== 0) refuse('training_mode is not a constant false');
    }
    this.alias(node);
  }

  add2(node: Node): void {
    if (node.inputs.length !== 2) refuse('expects two inputs');
    const a = this.activation(node, 0);
    const b = this.activation(node, 1);
    if (a.shape.join() !== b.shape.join()) refuse(`adds ${a.shape.join('x')} and ${b.shape.join('x')}; only equal shapes (residual connections) train`);
    const tb = this.ensure(b, a.perm, node.name);
    this.setOut(node, this.add('Add', {}, [a.tensor, tb], node.name, node.name), a.perm);
  }

  concat(node: Node): void {
    const inputs = node.inputs.map((_, i) => this.activation(node, i));
    let axis = (nodeAttrs(node) as { axis: number }).axis;
    const rank = inputs[0].shape.length;
    if (axis < 0) axis += rank;
    if (axis === 0) refuse('concatenates along the batch axis');
    const perm = inputs[0].perm;
    const tensors = inputs.map((h) => this.ensure(h, perm, node.name));
    if (tensors.length === 1) return this.alias(node);
    this.setOut(node, this.add('Concatenate', { axis: heldAxis(perm, axis) }, tensors, node.name, node.name), perm);
  }

  pad(node: Node): void {
    const x = this.activation(node, 0);
    const mode = (nodeAttrs(node) as { mode: string }).mode;
    if (mode !== 'constant') refuse(`mode '${mode}': only zero padding trains`);
    if (node.inputs[2]) {
      const v = this.constant(node, 2, 'constant_value');
      if (v.at(0) !== 0) refuse(`constant_value ${v.at(0)}: only zero padding trains`);
    }
    const inferInputs = node.inputs.map((n, i) => {
      if (!n) return undefined;
      if (i === 0) return { dtype: 'float32' as const, shape: x.shape };
      const t = this.constant(node, i, `input ${i}`);
      return { dtype: t.dtype, shape: t.shape, value: t };
    });
    const { begins, ends } = resolvePads(inferInputs, node);
    if (x.shape.length !== 4 || begins[0] || begins[1] || ends[0] || ends[1]) refuse('only padding of the spatial axes of N x C x H x W trains');
    if ([...begins, ...ends].some((p) => p < 0)) refuse('negative pads (cropping) do not train');
    const t = this.ensure(x, NHWC, node.name);
    const out = this.add('ZeroPadding2D', { padding: [[begins[2], ends[2]], [begins[3], ends[3]]], dataFormat: 'channelsLast' }, [t], node.name, node.name);
    this.setOut(node, out, NHWC);
  }
}

type Handler = (p: Planner, node: Node) => void;

const HANDLERS: Record<string, Handler> = {
  Conv: (p, n) => p.conv(n),
  Gemm: (p, n) => p.gemm(n),
  MatMul: (p, n) => p.matMul(n),
  BatchNormalization: (p, n) => p.batchNorm(n),
  Relu: (p, n) => p.unary(n, 'ReLU', {}),
  Clip: (p, n) => p.clip(n),
  LeakyRelu: (p, n) => p.unary(n, 'LeakyReLU', { alpha: (nodeAttrs(n) as { alpha: number }).alpha }),
  Sigmoid: (p, n) => p.unary(n, 'Activation', { activation: 'sigmoid' }),
  Tanh: (p, n) => p.unary(n, 'Activation', { activation: 'tanh' }),
  Softmax: (p, n) => p.softmax(n),
  MaxPool: (p, n) => p.pool(n),
  AveragePool: (p, n) => p.pool(n),
  GlobalAveragePool: (p, n) => p.globalPool(n),
  GlobalMaxPool: (p, n) => p.globalPool(n),
  Flatten: (p, n) => p.reshape(n),
  Reshape: (p, n) => p.reshape(n),
  Squeeze: (p, n) => p.reshape(n),
  Unsqueeze: (p, n) => p.reshape(n),
  Transpose: (p, n) => p.transpose(n),
  Identity: (p, n) => p.alias(n),
  Dropout: (p, n) => p.dropout(n),
  Add: (p, n) => p.add2(n),
  Concat: (p, n) => p.concat(n),
  Pad: (p, n) => p.pad(n),
};

/** Ops the bridge maps to TF.js layers (some with conditions; see `untrainableNodes`). */
export const TRAINABLE_OPS = Object.keys(HANDLERS).sort();

/**
 * How padded positions count in a sliding window: 'zeros' (convolutions, and average pools with
 * count_include_pad) or 'ignored' (max pools, average pools without count_include_pad).
 */
type PadSemantics = 'zeros' | 'ignored';

/**
 * The TF.js padding of a sliding window equivalent to the IR's resolved geometry: 'valid', 'same'
 * (TF's rule: out = ceil(n/s), the smaller half of the padding first; convolutions pad zeros,
 * pools leave padding out, average pools of the count too), or explicit zero padding in front of a
 * 'valid' window where padded zeros count.
 */
function windowPadding(
  inSpatial: number[],
  kernel: number[],
  strides: number[],
  geometry: { padBegin: number[]; padEnd: number[]; outSpatial: number[] },
  pads: PadSemantics,
  convolution: boolean,
): { mode: 'valid' | 'same' } | { mode: 'zero'; pads: [[number, number], [number, number]] } | undefined {
  const { padBegin, padEnd, outSpatial } = geometry;
  const validOut = inSpatial.map((n, i) => Math.floor((n - kernel[i]) / strides[i]) + 1);
  if (padBegin.every((p) => p === 0) && outSpatial.every((o, i) => o === validOut[i])) return { mode: 'valid' };
  const sameOut = inSpatial.map((n, i) => Math.ceil(n / strides[i]));
  const sameBegin = inSpatial.map((n, i) => Math.floor(Math.max(0, (sameOut[i] - 1) * strides[i] + kernel[i] - n) / 2));
  const isSame = outSpatial.every((o, i) => o === sameOut[i]) && padBegin.every((p, i) => p === sameBegin[i]);
  // TF's 'same' pads zeros for convolutions and leaves padding out of pools.
  if (isSame && (convolution || pads === 'ignored')) return { mode: 'same' };
  if (pads !== 'zeros') return undefined;
  const paddedOut = inSpatial.map((n, i) => Math.floor((n + padBegin[i] + padEnd[i] - kernel[i]) / strides[i]) + 1);
  if (!outSpatial.every((o, i) => o === paddedOut[i])) return undefined;
  return { mode: 'zero', pads: [[padBegin[0], padEnd[0]], [padBegin[1], padEnd[1]]] };
}

/** Plan the TF.js model of a graph (no tensors are made). */
export function planTraining(g: Graph): TrainPlan {
  return new Planner(g).plan();
}

/** Every node the bridge cannot train, with the reason (empty when the whole graph trains). */
export function untrainableNodes(g: Graph): Untrainable[] {
  return planTraining(g).problems;
}

/** The UserError listing every untrainable node. */
export function untrainableError(problems: Untrainable[]): UserError {
  const list = problems.map((p) => `node '${p.node}' (${p.op}): ${p.reason}`).join('; ');
  return new UserError(`the training bridge cannot train: ${list}`, `ops it trains: ${TRAINABLE_OPS.join(', ')}`);
}
