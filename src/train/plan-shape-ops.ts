// Bridge handlers of the ops without weights: activations, Softmax, the layout and shape ops (Reshape, Flatten,
// Transpose, Squeeze, Identity, Dropout), Add of two branches, Concat and zero Pad.

import type { Node } from '../ir/graph.js';
import { nodeAttrs } from '../ir/interpreter.js';
import { resolvePads } from '../ops/pad.js';
import { heldAxis, identityPerm, transposedPerm } from './layout.js';
import { NHWC, refuse, type Planner } from './planner.js';
import type { LayerClass } from './train-plan.js';

/** An elementwise layer: any layout in, the same layout out. */
export function unary(p: Planner, node: Node, className: LayerClass, config: Record<string, unknown>): void {
  const x = p.activation(node, 0, true);
  p.setOut(node, p.add(className, config, [x.tensor], node.name, node.name), x.perm);
  if (x.flat) p.held.get(node.outputs[0])!.flat = true;
}

export function alias(p: Planner, node: Node): void {
  const x = p.activation(node, 0, true);
  p.held.set(node.outputs[0], { ...x, shape: p.shapeOf(node.outputs[0]) });
}

export function clip(p: Planner, node: Node): void {
  const scalar = (i: number, what: string): number | undefined => {
    if (!node.inputs[i]) return undefined;
    const t = p.constant(node, i, what);
    return t.at(0);
  };
  const lo = scalar(1, 'min');
  const hi = scalar(2, 'max');
  if (lo === undefined && hi === undefined) return alias(p, node);
  if (lo !== 0) refuse(`min ${lo ?? '-inf'}: only Clip(0, max) trains (as ReLU with a maximum, e.g. ReLU6)`);
  unary(p, node, 'ReLU', hi === undefined ? {} : { maxValue: hi });
}

export function softmax(p: Planner, node: Node): void {
  const x = p.activation(node, 0);
  let axis = (nodeAttrs(node) as { axis: number }).axis;
  if (axis < 0) axis += x.shape.length;
  if (axis === 0) refuse('normalizes over the batch axis');
  p.setOut(node, p.add('Softmax', { axis: heldAxis(x.perm, axis) }, [x.tensor], node.name, node.name), x.perm);
}

/** Flatten, Reshape, Squeeze, Unsqueeze: same elements per sample in the IR's own order. */
export function reshape(p: Planner, node: Node): void {
  const x = p.activation(node, 0, true);
  const outShape = p.shapeOf(node.outputs[0]);
  if (outShape[0] !== x.shape[0]) refuse(`changes the batch dimension (${x.shape.join('x')} → ${outShape.join('x')})`);
  if (outShape.length === x.shape.length && outShape.every((d, i) => d === x.shape[i])) return alias(p, node);
  if (x.flat && outShape.length === 2) {
    p.held.set(node.outputs[0], { tensor: x.tensor, perm: identityPerm(2), shape: outShape });
    return;
  }
  const t = x.flat ? x.tensor : p.ensure(x, identityPerm(x.shape.length), node.name);
  const out =
    outShape.length === 2
      ? p.add('Flatten', {}, [t], node.name, node.name)
      : p.add('Reshape', { targetShape: outShape.slice(1) }, [t], node.name, node.name);
  p.setOut(node, out, identityPerm(outShape.length));
}

export function transpose(p: Planner, node: Node): void {
  const x = p.activation(node, 0);
  const perm = (nodeAttrs(node) as { perm?: number[] }).perm ?? identityPerm(x.shape.length).reverse();
  if (perm[0] !== 0) refuse(`perm [${perm.join(', ')}] moves the batch axis`);
  p.held.set(node.outputs[0], { tensor: x.tensor, perm: transposedPerm(perm, x.perm), shape: p.shapeOf(node.outputs[0]) });
}

export function dropout(p: Planner, node: Node): void {
  if (node.inputs[2]) {
    const training = p.consts.get(node.inputs[2]);
    if (!training || training.at(0) !== 0) refuse('training_mode is not a constant false');
  }
  alias(p, node);
}

export function add(p: Planner, node: Node): void {
  if (node.inputs.length !== 2) refuse('expects two inputs');
  const a = p.activation(node, 0);
  const b = p.activation(node, 1);
  if (a.shape.join() !== b.shape.join()) refuse(`adds ${a.shape.join('x')} and ${b.shape.join('x')}; only equal shapes (residual connections) train`);
  const tb = p.ensure(b, a.perm, node.name);
  p.setOut(node, p.add('Add', {}, [a.tensor, tb], node.name, node.name), a.perm);
}

export function concat(p: Planner, node: Node): void {
  const inputs = node.inputs.map((_, i) => p.activation(node, i));
  let axis = (nodeAttrs(node) as { axis: number }).axis;
  const rank = inputs[0].shape.length;
  if (axis < 0) axis += rank;
  if (axis === 0) refuse('concatenates along the batch axis');
  const perm = inputs[0].perm;
  const tensors = inputs.map((h) => p.ensure(h, perm, node.name));
  if (tensors.length === 1) return alias(p, node);
  p.setOut(node, p.add('Concatenate', { axis: heldAxis(perm, axis) }, tensors, node.name, node.name), perm);
}

export function pad(p: Planner, node: Node): void {
  const x = p.activation(node, 0);
  const mode = (nodeAttrs(node) as { mode: string }).mode;
  if (mode !== 'constant') refuse(`mode '${mode}': only zero padding trains`);
  if (node.inputs[2]) {
    const v = p.constant(node, 2, 'constant_value');
    if (v.at(0) !== 0) refuse(`constant_value ${v.at(0)}: only zero padding trains`);
  }
  const inferInputs = node.inputs.map((n, i) => {
    if (!n) return undefined;
    if (i === 0) return { dtype: 'float32' as const, shape: x.shape };
    const t = p.constant(node, i, `input ${i}`);
    return { dtype: t.dtype, shape: t.shape, value: t };
  });
  const { begins, ends } = resolvePads(inferInputs, node);
  if (x.shape.length !== 4 || begins[0] || begins[1] || ends[0] || ends[1]) refuse('only padding of the spatial axes of N x C x H x W trains');
  if ([...begins, ...ends].some((p) => p < 0)) refuse('negative pads (cropping) do not train');
  const t = p.ensure(x, NHWC, node.name);
  const out = p.add('ZeroPadding2D', { padding: [[begins[2], ends[2]], [begins[3], ends[3]]], dataFormat: 'channelsLast' }, [t], node.name, node.name);
  p.setOut(node, out, NHWC);
}
