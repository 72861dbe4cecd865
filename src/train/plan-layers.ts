// Bridge handlers of the layers with trained weights: Conv (and depthwise), Gemm, MatMul (+ a bias Add), BatchNormalization,
// and the pools, each mapped to its Keras layer in channels-last where TF.js needs it.

import type { Node } from '../ir/graph.js';
import { nodeAttrs } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import { convGeometry, type ConvAttrs } from '../ops/util/conv-geometry.js';
import { resolveWindow, type PoolWindowAttrs } from '../ops/util/nn-pool.js';
import { heldAxis, identityPerm } from './layout.js';
import { NHWC, refuse, type Planner } from './planner.js';
import { windowPadding } from './window-padding.js';

export function conv(p: Planner, node: Node): void {
  const x = p.activation(node, 0);
  if (x.shape.length !== 4) refuse(`input has rank ${x.shape.length}; only 2-D convolutions (N x C x H x W) train`);
  const w = p.param(node, 1, 'weight W');
  const bias = node.inputs[2] ? p.param(node, 2, 'bias B') : undefined;
  const attrs = nodeAttrs(node) as ConvAttrs;
  const geo = convGeometry(x.shape, w.shape, attrs, node);
  if (geo.dilations.some((d) => d !== 1)) refuse(`dilations ${geo.dilations.join('x')}: TF.js has no gradients for dilated convolutions`);
  const [M, , kh, kw] = w.shape;
  const C = x.shape[1];
  const depthwise = attrs.group === C && w.shape[1] === 1 && attrs.group > 1;
  if (attrs.group !== 1 && !depthwise) refuse(`group ${attrs.group}: only group 1 and depthwise (group = input channels) convolutions train`);
  const padding = windowPadding(x.shape.slice(2), [kh, kw], geo.strides, geo.geometry, 'zeros', true);
  if (!padding) refuse('its padding cannot be expressed in TF.js');
  let t = p.ensure(x, NHWC, node.name);
  if (padding.mode === 'zero') t = p.add('ZeroPadding2D', { padding: padding.pads, dataFormat: 'channelsLast' }, [t], '', `${node.name}_pad`);
  const common = { kernelSize: [kh, kw], strides: geo.strides, padding: padding.mode === 'same' ? 'same' : 'valid', dataFormat: 'channelsLast', useBias: !!bias, biasInitializer: 'zeros' };
  const name = node.name;
  const out = depthwise
    ? p.add('DepthwiseConv2D', { ...common, depthMultiplier: M / C, depthwiseInitializer: 'zeros' }, [t], name, name)
    : p.add('Conv2D', { ...common, filters: M, dilationRate: [1, 1], kernelInitializer: 'zeros' }, [t], name, name);
  const layer = p.lastName(out);
  p.bind(node.inputs[1], layer, depthwise ? 'depthwise_kernel' : 'kernel', depthwise ? { kind: 'depthwise', channels: C } : { kind: 'conv' });
  if (bias) p.bind(node.inputs[2], layer, 'bias', { kind: 'same' });
  p.setOut(node, out, NHWC);
}

export function gemm(p: Planner, node: Node): void {
  const a = nodeAttrs(node) as { alpha: number; beta: number; transA: boolean; transB: boolean };
  if (a.transA) refuse('transA = 1: the data input must be N x K');
  if (a.alpha !== 1) refuse(`alpha ${a.alpha}: only alpha = 1 trains`);
  const x = p.activation(node, 0);
  const w = p.param(node, 1, 'weight B');
  const N = a.transB ? w.shape[0] : w.shape[1];
  let bias: Tensor | undefined;
  if (node.inputs[2]) {
    if (a.beta !== 1) refuse(`beta ${a.beta}: only beta = 1 trains`);
    bias = p.param(node, 2, 'bias C');
    if (bias.size !== N && bias.size !== 1) refuse(`bias C has shape ${bias.shape.join('x')}; only one bias per output (N or 1 x N) trains`);
  }
  const out = p.add('Dense', { units: N, useBias: !!bias, kernelInitializer: 'zeros', biasInitializer: 'zeros' }, [x.tensor], node.name, node.name);
  const layer = p.lastName(out);
  p.bind(node.inputs[1], layer, 'kernel', a.transB ? { kind: 'transpose2d' } : { kind: 'same' });
  if (bias) p.bind(node.inputs[2], layer, 'bias', bias.size === N ? { kind: 'vector' } : { kind: 'broadcast', size: N });
  p.setOut(node, out, identityPerm(2));
}

export function matMul(p: Planner, node: Node): void {
  const x = p.activation(node, 0);
  const w = p.param(node, 1, 'input B');
  if (w.rank !== 2) refuse(`input B has rank ${w.rank}; only a K x N matrix trains (as a Dense layer)`);
  if (x.shape.length < 2) refuse(`input A has rank ${x.shape.length}; expected N x ... x K`);
  const N = w.shape[1];
  // MatMul followed by Add of a constant per-output vector (as TF exports Dense) becomes one Dense with bias.
  const readers = p.uses.get(node.outputs[0]) ?? [];
  const addNode = readers.length === 1 ? p.g.nodes.find((n) => n.name === readers[0]) : undefined;
  const isGraphOut = p.g.outputs.some((o) => o.name === node.outputs[0]);
  let biasIndex = -1;
  if (addNode && addNode.opType === 'Add' && !isGraphOut) {
    biasIndex = addNode.inputs.findIndex((i, k) => i !== node.outputs[0] && k < 2);
    const b = biasIndex >= 0 ? p.g.initializers.get(addNode.inputs[biasIndex]) : undefined;
    const shareFree = b && (p.uses.get(addNode.inputs[biasIndex]) ?? []).length === 1;
    if (!b || !shareFree || b.dtype !== 'float32' || b.size !== N || b.shape[b.rank - 1] !== N || b.rank > x.shape.length) biasIndex = -1;
  }
  const t = p.ensure(x, identityPerm(x.shape.length), node.name);
  const out = p.add('Dense', { units: N, useBias: biasIndex >= 0, kernelInitializer: 'zeros', biasInitializer: 'zeros' }, [t], node.name, node.name);
  const layer = p.lastName(out);
  p.bind(node.inputs[1], layer, 'kernel', { kind: 'same' });
  if (biasIndex >= 0 && addNode) {
    p.bind(addNode.inputs[biasIndex], layer, 'bias', { kind: 'vector' });
    p.fused.add(addNode);
    p.held.set(node.outputs[0], { tensor: -1, perm: identityPerm(x.shape.length), shape: p.shapeOf(node.outputs[0]) });
    p.setOut(addNode, out, identityPerm(x.shape.length));
    return;
  }
  p.setOut(node, out, identityPerm(x.shape.length));
}

export function batchNorm(p: Planner, node: Node): void {
  let x = p.activation(node, 0);
  const names = ['scale', 'B', 'input_mean', 'input_var'];
  for (let i = 1; i <= 4; i++) p.param(node, i, names[i - 1]);
  // TF.js's batch-norm gradient breaks on a channel axis that is not the last one: images go channels-last.
  if (x.shape.length === 4) x = { ...x, tensor: p.ensure(x, NHWC, node.name), perm: NHWC };
  const axis = heldAxis(x.perm, 1);
  const out = p.add(
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
  const layer = p.lastName(out);
  p.bind(node.inputs[1], layer, 'gamma', { kind: 'same' });
  p.bind(node.inputs[2], layer, 'beta', { kind: 'same' });
  p.bind(node.inputs[3], layer, 'moving_mean', { kind: 'same' }, false);
  p.bind(node.inputs[4], layer, 'moving_variance', { kind: 'same' }, false);
  p.setOut(node, out, x.perm);
}

export function pool(p: Planner, node: Node): void {
  const max = node.opType === 'MaxPool';
  const x = p.activation(node, 0);
  if (x.shape.length !== 4) refuse(`input has rank ${x.shape.length}; only 2-D pooling (N x C x H x W) trains`);
  const attrs = nodeAttrs(node) as PoolWindowAttrs & { countIncludePad?: boolean };
  const { win, geometry } = resolveWindow(x.shape, attrs, node);
  if (win.dilations.some((d) => d !== 1)) refuse(`dilations ${win.dilations.join('x')} have no TF.js pooling layer`);
  const padding = windowPadding(x.shape.slice(2), win.kernel, win.strides, geometry, !max && attrs.countIncludePad === true ? 'zeros' : 'ignored', false);
  if (!padding) refuse(`its padding (pads ${[...geometry.padBegin, ...geometry.padEnd].join(',')}${attrs.ceilMode ? ', ceil_mode' : ''}) cannot be expressed in TF.js`);
  let t = p.ensure(x, NHWC, node.name);
  if (padding.mode === 'zero') t = p.add('ZeroPadding2D', { padding: padding.pads, dataFormat: 'channelsLast' }, [t], '', `${node.name}_pad`);
  const out = p.add(
    max ? 'MaxPooling2D' : 'AveragePooling2D',
    { poolSize: win.kernel, strides: win.strides, padding: padding.mode === 'same' ? 'same' : 'valid', dataFormat: 'channelsLast' },
    [t],
    node.name,
    node.name,
  );
  p.setOut(node, out, NHWC);
}

export function globalPool(p: Planner, node: Node): void {
  const x = p.activation(node, 0);
  if (x.shape.length !== 4) refuse(`input has rank ${x.shape.length}; only N x C x H x W trains`);
  const t = p.ensure(x, NHWC, node.name);
  const className = node.opType === 'GlobalAveragePool' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
  // [N, C] is the output [N, C, 1, 1] flattened: a Flatten after it costs nothing.
  const pooled = p.add(className, { dataFormat: 'channelsLast' }, [t], node.name, node.name);
  p.held.set(node.outputs[0], { tensor: pooled, perm: identityPerm(4), shape: p.shapeOf(node.outputs[0]), flat: true });
}
