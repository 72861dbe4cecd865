// TF.js → IR: trained weights back into the source graph, and any channels-last Keras layers model into a new IR graph.

import type * as tf from './tf.js';
import { UserError } from '../errors.js';
import { attr, GraphBuilder } from '../ir/builder.js';
import { cloneGraph, type Graph } from '../ir/graph.js';
import { verifyGraph } from '../ir/verify.js';
import { Tensor } from '../ir/tensor.js';
import { weightOf } from './build-tfjs-model.js';
import { channelsLastPerm, identityPerm, invertPerm, kerasWeights, samePerm, weightFromTf, type Perm, type WeightLayout } from './layout.js';
import type { Trainable } from './trainable.js';

/**
 * The trained model as a new IR graph: the source graph's nodes and values, with every bound
 * initializer (weights, biases, BatchNormalization parameters and statistics) read back from TF.js
 * in IR layout. Other initializers are shared with the source graph.
 */
export function toGraph(t: Trainable): Graph {
  t.check();
  const g = cloneGraph(t.graph);
  for (const b of t.plan.params) {
    const v = weightOf(t.model, b).read();
    g.initializers.set(b.initializer, weightValue(b.layout, v, b.irShape));
  }
  g.meta = { ...g.meta, docString: [g.meta.docString, 'fine-tuned by the edgeprune training bridge'].filter(Boolean).join('; ') };
  verifyGraph(g);
  return g;
}

/** An IR tensor rebuilt from a TF.js weight's data (never shares TF.js memory). */
function weightValue(layout: WeightLayout, v: tf.Tensor, irShape: number[]): Tensor {
  return weightFromTf(layout, v.dataSync() as Float32Array, v.shape, irShape);
}

// --- Keras (TF.js layers) model → IR ---

/** A Keras tensor as an IR value: keras dimension j is IR dimension perm[j] of `value`. */
interface Held {
  value: string;
  perm: number[];
  /** Keras shape with the batch (batch as in the IR input). */
  shape: number[];
}

/** Layer classes `layersModelToGraph` converts. */
export const IMPORTABLE_LAYERS = [
  'InputLayer',
  'Conv2D',
  'DepthwiseConv2D',
  'Dense',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'Softmax',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Flatten',
  'Reshape',
  'Permute',
  'ZeroPadding2D',
  'Add',
  'Concatenate',
  'Dropout',
];

type Cfg = Record<string, unknown>;

/** One Keras layer call: the layer, its input tensors and output. */
interface Call {
  layer: tf.layers.Layer;
  inputs: tf.SymbolicTensor[];
  output: tf.SymbolicTensor;
}

const keyOf = (s: tf.SymbolicTensor) => `${s.sourceLayer.name}:${s.nodeIndex}:${s.tensorIndex}`;

/** The layer calls needed for the model outputs, in topological order. */
function orderedCalls(model: tf.LayersModel): Call[] {
  const calls: Call[] = [];
  const seen = new Set<string>();
  const visit = (s: tf.SymbolicTensor) => {
    const key = keyOf(s);
    if (seen.has(key)) return;
    seen.add(key);
    const node = (s.sourceLayer as unknown as { inboundNodes: { inputTensors: tf.SymbolicTensor[] }[] }).inboundNodes[s.nodeIndex];
    const inputs = node?.inputTensors ?? [];
    for (const i of inputs) visit(i);
    calls.push({ layer: s.sourceLayer, inputs, output: s });
  };
  for (const o of model.outputs) visit(o);
  return calls;
}

/** The error for a layer the importer does not convert. */
function layerError(where: string, layer: tf.layers.Layer, reason: string): UserError {
  return new UserError(`${where}: layer '${layer.name}' (${layer.getClassName()}): ${reason}`);
}

/**
 * Convert a TF.js layers model into an IR graph. Channels-last tensors stay channels-last at the
 * model's input (the IR input has the user's NHWC shape); a Transpose to NCHW goes in front of the
 * first layer that needs it, and one back wherever the Keras order matters (Flatten, Reshape,
 * Dense, the outputs), so the Dense weights and the flatten order are the model's own. `batch` is
 * the IR's batch size (default 1); `where` names the source in errors.
 */
export function layersModelToGraph(model: tf.LayersModel, options: { batch?: number; where?: string; name?: string } = {}): Graph {
  const batch = options.batch ?? 1;
  const where = options.where ?? `model '${model.name}'`;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(`${where}: has ${model.inputs.length} inputs and ${model.outputs.length} outputs; only one of each is supported`);
  }
  const b = new GraphBuilder(options.name ?? model.name);
  const held = new Map<string, Held>();
  let transposes = 0;
  const names = new Set<string>();
  const unique = (base: string) => {
    let n = base;
    for (let i = 1; names.has(n); i++) n = `${base}_${i}`;
    names.add(n);
    return n;
  };

  /** An IR value holding the Keras tensor `h` so that keras dim j is its IR dim perm[j] (a Transpose if needed). */
  const transposed = new Map<string, string>();
  const ensure = (h: Held, perm: Perm): string => {
    if (samePerm(h.perm, perm)) return h.value;
    const key = `${h.value}:${perm.join(',')}`;
    const hit = transposed.get(key);
    if (hit) return hit;
    // New IR value v' with keras dim j = v' dim perm[j]; v' dim i = v dim h.perm[perm⁻¹[i]].
    const t = invertPerm(perm).map((k) => h.perm[k]);
    const v = b.op('Transpose', [h.value], { perm: attr.ints(t) }, unique(`transpose_${transposes++}`));
    transposed.set(key, v);
    return v;
  };

  for (const call of orderedCalls(model)) {
    const { layer } = call;
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Cfg;
    const name = unique(layer.name.replace(/[^A-Za-z0-9_.-]/g, '_'));
    const kerasShape = (s: tf.SymbolicTensor) => [batch, ...s.shape.slice(1).map((d) => d ?? NaN)];
    const outShape = kerasShape(call.output);
    const set = (value: string, perm: number[]) => held.set(keyOf(call.output), { value, perm, shape: outShape });
    const input = (i = 0): Held => {
      const h = held.get(keyOf(call.inputs[i]));
      if (!h) throw layerError(where, layer, 'reads a tensor that was not converted');
      return h;
    };
    const fail = (reason: string): never => {
      throw layerError(where, layer, reason);
    };
    const weights = () => {
      const out = new Map<string, tf.Tensor>();
      for (const w of layer.weights) out.set(w.originalName.split('/').pop()!, w.read());
      return out;
    };
    const init = (suffix: string, t: Tensor) => b.initializer(`${name}.${suffix}`, t);
    const fromTf = (t: tf.Tensor) => new Tensor('float32', [...t.shape], Float32Array.from(t.dataSync() as Float32Array));
    const rank = outShape.length;
    const channelsFirst = cfg.dataFormat === 'channelsFirst';
    /** Permutation under which the IR value is NCHW for a 4-D Keras tensor of this layer's data format. */
    const nchw = channelsFirst ? identityPerm(4) : channelsLastPerm(4);
    /** The layer's fused activation on `x`, whose last Keras axis is IR axis `lastAxis`. */
    const activation = (x: string, act: unknown, lastAxis = -1): string => {
      const a = String(act ?? 'linear');
      switch (a) {
        case 'linear':
          return x;
        case 'relu':
          return b.op('Relu', [x], {}, unique(`${name}_relu`));
        case 'relu6':
          return b.op('Clip', [x, b.initializer(`${name}.relu6_min`, Tensor.scalar('float32', 0)), b.initializer(`${name}.relu6_max`, Tensor.scalar('float32', 6))], {}, unique(`${name}_relu6`));
        case 'sigmoid':
          return b.op('Sigmoid', [x], {}, unique(`${name}_sigmoid`));
        case 'tanh':
          return b.op('Tanh', [x], {}, unique(`${name}_tanh`));
        case 'softmax':
          return b.op('Softmax', [x], { axis: attr.int(lastAxis) }, unique(`${name}_softmax`));
        default:
          return fail(`activation '${a}' is not supported (linear, relu, relu6, sigmoid, tanh, softmax are)`);
      }
    };
    const checkUnits = () => {
      if (outShape.some((d) => Number.isNaN(d))) fail(`has a dynamic output shape ${outShape.join('x')}`);
    };
    checkUnits();

    switch (cls) {
      case 'InputLayer': {
        if (call.output.dtype !== 'float32') fail(`input type ${call.output.dtype}; only float32 is supported`);
        set(b.input(name, 'float32', outShape), identityPerm(rank));
        break;
      }
      case 'Dropout':
        held.set(keyOf(call.output), { ...input(), shape: outShape });
        break;
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const x = input();
        if (x.shape.length !== 4) fail('only 2-D convolutions on 4-D tensors are supported');
        const w = weights();
        const depthwise = cls === 'DepthwiseConv2D';
        const k = depthwise ? w.get('depthwise_kernel') : w.get('kernel');
        if (!k) fail('has no kernel weight');
        const kernel = depthwise ? kerasWeights.depthwise(k!.dataSync(), k!.shape) : kerasWeights.conv(k!.dataSync(), k!.shape);
        const [kh, kw] = [k!.shape[0]!, k!.shape[1]!] as [number, number];
        const strides = cfg.strides as number[];
        const dilations = (cfg.dilationRate as number[] | number | undefined) ?? [1, 1];
        const dil = typeof dilations === 'number' ? [dilations, dilations] : dilations.length === 1 ? [dilations[0], dilations[0]] : dilations;
        const xIr = ensure(x, nchw);
        const H = channelsFirst ? x.shape[2] : x.shape[1];
        const W = channelsFirst ? x.shape[3] : x.shape[2];
        const pads = kerasPads(String(cfg.padding), [H, W], [kh, kw], strides, dil);
        const inputs = [xIr, init('weight', kernel)];
        const bias = w.get('bias');
        if (bias) inputs.push(init('bias', fromTf(bias)));
        const C = channelsFirst ? x.shape[1] : x.shape[3];
        const convAttrs = {
          kernel_shape: attr.ints([kh, kw]),
          strides: attr.ints(strides),
          pads: attr.ints(pads),
          dilations: attr.ints(dil),
          group: attr.int(depthwise ? C : 1),
        };
        set(activation(b.op('Conv', inputs, convAttrs, name), cfg.activation, nchw[3]), nchw);
        break;
      }
      case 'Dense': {
        const x = input();
        const w = weights();
        const k = w.get('kernel')!;
        const bias = w.get('bias');
        const xIr = ensure(x, identityPerm(x.shape.length));
        let y: string;
        if (x.shape.length === 2) {
          const inputs = [xIr, init('weight', kerasWeights.dense(k.dataSync(), k.shape))];
          if (bias) inputs.push(init('bias', fromTf(bias)));
          y = b.op('Gemm', inputs, { transB: attr.int(1) }, name);
        } else {
          y = b.op('MatMul', [xIr, init('weight', fromTf(k))], {}, name);
          if (bias) y = b.op('Add', [y, init('bias', fromTf(bias))], {}, unique(`${name}_bias`));
        }
        set(activation(y, cfg.activation), identityPerm(rank));
        break;
      }
      case 'BatchNormalization': {
        const x = input();
        let axis = (Array.isArray(cfg.axis) ? (cfg.axis as number[]) : [cfg.axis as number]).map((a) => (a < 0 ? a + rank : a));
        if (axis.length !== 1) fail('normalizes over several axes');
        const [ax] = axis;
        axis = [ax];
        // IR value with the normalized axis second: keras dims [0, ax, others...].
        const perm = [0, ax, ...identityPerm(rank).filter((d) => d !== 0 && d !== ax)];
        const irPerm = invertPerm(perm);
        const xIr = ensure(x, irPerm);
        const w = weights();
        const C = x.shape[ax];
        const ones = new Tensor('float32', [C], new Float32Array(C).fill(1));
        const zeros = new Tensor('float32', [C]);
        const get = (n: string, fallback: Tensor) => (w.get(n) ? fromTf(w.get(n)!) : fallback);
        const y = b.op(
          'BatchNormalization',
          [xIr, init('scale', get('gamma', ones)), init('bias', get('beta', zeros)), init('mean', get('moving_mean', zeros)), init('var', get('moving_variance', ones))],
          { epsilon: attr.float(Number(cfg.epsilon ?? 1e-3)) },
          name,
        );
        set(y, irPerm);
        break;
      }
      case 'Activation': {
        const x = input();
        set(activation(x.value, cfg.activation, x.perm[rank - 1]), x.perm);
        break;
      }
      case 'ReLU': {
        const x = input();
        const maxValue = cfg.maxValue as number | null | undefined;
        const y =
          maxValue === null || maxValue === undefined
            ? b.op('Relu', [x.value], {}, name)
            : b.op('Clip', [x.value, init('min', Tensor.scalar('float32', 0)), init('max', Tensor.scalar('float32', maxValue))], {}, name);
        set(y, x.perm);
        break;
      }
      case 'LeakyReLU': {
        const x = input();
        set(b.op('LeakyRelu', [x.value], { alpha: attr.float(Number(cfg.alpha ?? 0.3)) }, name), x.perm);
        break;
      }
      case 'Softmax': {
        const x = input();
        const ax = Number(cfg.axis ?? -1);
        const kAxis = ax < 0 ? ax + rank : ax;
        set(b.op('Softmax', [x.value], { axis: attr.int(x.perm[kAxis]) }, name), x.perm);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const x = input();
        const pool = cfg.poolSize as number[];
        const strides = (cfg.strides as number[] | null) ?? pool;
        const H = channelsFirst ? x.shape[2] : x.shape[1];
        const W = channelsFirst ? x.shape[3] : x.shape[2];
        const pads = kerasPads(String(cfg.padding), [H, W], pool, strides, [1, 1]);
        const y = b.op(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [ensure(x, nchw)], { kernel_shape: attr.ints(pool), strides: attr.ints(strides), pads: attr.ints(pads) }, name);
        set(y, nchw);
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        const x = input();
        if (cfg.keepDims) fail('keepDims is not supported');
        const pooled = b.op(cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool', [ensure(x, nchw)], {}, name);
        set(b.op('Flatten', [pooled], { axis: attr.int(1) }, unique(`${name}_flatten`)), identityPerm(2));
        break;
      }
      case 'Flatten': {
        const x = input();
        // A channels-first Flatten moves the channels last before flattening (Keras's rule).
        const r = x.shape.length;
        const order = channelsFirst && r > 2 ? channelsLastPerm(r) : identityPerm(r);
        set(b.op('Flatten', [ensure(x, invertPerm(order))], { axis: attr.int(1) }, name), identityPerm(2));
        break;
      }
      case 'Reshape': {
        const x = input();
        const shape = b.initializer(`${name}.shape`, Tensor.fromNumbers('int64', [rank], outShape));
        set(b.op('Reshape', [ensure(x, identityPerm(x.shape.length)), shape], {}, name), identityPerm(rank));
        break;
      }
      case 'Permute': {
        const x = input();
        const dims = [0, ...(cfg.dims as number[])];
        held.set(keyOf(call.output), { value: x.value, perm: dims.map((d) => x.perm[d]), shape: outShape });
        break;
      }
      case 'ZeroPadding2D': {
        const x = input();
        const p = cfg.padding as number[][];
        const [[t, bo], [l, r]] = p;
        const pads = Tensor.fromNumbers('int64', [8], [0, 0, t, l, 0, 0, bo, r]);
        set(b.op('Pad', [ensure(x, nchw), b.initializer(`${name}.pads`, pads)], { mode: attr.string('constant') }, name), nchw);
        break;
      }
      case 'Add': {
        const xs = call.inputs.map((_, i) => input(i));
        const perm = xs[0].perm;
        let y = ensure(xs[0], perm);
        for (let i = 1; i < xs.length; i++) y = b.op('Add', [y, ensure(xs[i], perm)], {}, i === xs.length - 1 ? name : unique(`${name}_${i}`));
        set(y, perm);
        break;
      }
      case 'Concatenate': {
        const xs = call.inputs.map((_, i) => input(i));
        const perm = xs[0].perm;
        const ax = Number(cfg.axis ?? -1);
        const kAxis = ax < 0 ? ax + rank : ax;
        set(b.op('Concat', xs.map((h) => ensure(h, perm)), { axis: attr.int(perm[kAxis]) }, name), perm);
        break;
      }
      default:
        fail(`is not supported (supported: ${IMPORTABLE_LAYERS.join(', ')})`);
    }
  }
  const out = held.get(keyOf(model.outputs[0]))!;
  const final = ensure(out, identityPerm(out.shape.length));
  b.output(final);
  return b.build();
}

/** ONNX pads (begins, then ends) of Keras 'valid' or 'same' padding (TF's rule: the smaller half first). */
function kerasPads(padding: string, inSpatial: number[], kernel: number[], strides: number[], dilations: number[]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const begins: number[] = [];
  const ends: number[] = [];
  inSpatial.forEach((n, i) => {
    const out = Math.ceil(n / strides[i]);
    const span = (kernel[i] - 1) * dilations[i] + 1;
    const total = Math.max(0, (out - 1) * strides[i] + span - n);
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  });
  return [...begins, ...ends];
}
