// How each op moves a value's channel map from its inputs to its outputs (the dependency analysis's transfer
// function): pass-through ops keep it, pools and shape ops move it, layers with weights absorb it and start a new
// source (channel-transfer-layers.ts), elementwise ops and Concat join maps (channel-transfer-shape.ts), anything
// else blocks it with the reason.

import type { Node } from '../../ir/graph.js';
import { inferInputs } from '../../ir/infer-shapes.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import { resolvePads } from '../../ops/pad.js';
import { permutation, type TransposeAttrs } from '../../ops/transpose.js';
import { describe, prod, type ChannelMap } from './channel-map.js';
import { batchNorm, conv, gemm, matMul, prelu } from './channel-transfer-layers.js';
import { concat, elementwise, reduce, reshape, squeeze, unsqueeze } from './channel-transfer-shape.js';
import type { Analyzer } from './dependency-graph.js';

/** Ops whose output channel c depends only on input channel c (same shape, same axis). */
const PASS_THROUGH = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Celu', 'Gelu',
  'Softplus', 'Softsign', 'Mish', 'Erf', 'Exp', 'Log', 'Abs', 'Neg', 'Sqrt', 'Reciprocal', 'Floor',
  'Ceil', 'Round', 'Sign', 'Identity', 'Dropout', 'Clip', 'Cast',
]);

/** Pooling ops: per (N, C) plane, channels on axis 1. */
const POOLS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool']);

/** Broadcasting elementwise ops (binary and variadic). */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean']);

const REDUCTIONS = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum']);

/** Output channel maps of a node; marks the mapped inputs it handles (blocking them itself if needed) in `consumed`. */
export function transfer(an: Analyzer, node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
  const x = maps[0];
  const op = node.opType;
  if (op === 'Conv') return conv(an, node, x, consumed);
  if (op === 'Gemm') return gemm(an, node, x, consumed);
  if (op === 'MatMul') return matMul(an, node, maps, consumed);
  if (ELEMENTWISE.has(op)) return elementwise(an, node, maps, consumed);
  if (op === 'Concat') return concat(an, node, maps, consumed);
  if (!x) return [];
  consumed.add(0);
  if (PASS_THROUGH.has(op)) {
    // Dropout's mask and any other extra output carry the same channels.
    return node.outputs.map(() => x);
  }
  if (POOLS.has(op)) {
    if (x.axis !== 1) return an.refuse(x, `${describe(node)} pools planes of axis 1, the channels are on axis ${x.axis}`);
    const indices = node.outputs[1];
    if (indices && ((an.users.get(indices) ?? []).length > 0 || an.graphOutputs.has(indices))) {
      return an.refuse(x, `${describe(node)} outputs indices that count across channels`);
    }
    return [x];
  }
  switch (op) {
    case 'BatchNormalization':
      return batchNorm(an, node, x);
    case 'PRelu':
      return prelu(an, node, x, maps[1]);
    case 'Softmax':
    case 'LogSoftmax': {
      const rank = an.shape(node.inputs[0]).length;
      const { axis } = nodeAttrs(node) as { axis: number };
      if ((axis < 0 ? axis + rank : axis) === x.axis) return an.refuse(x, `${describe(node)} normalizes over the channel axis`);
      return [x];
    }
    case 'Flatten': {
      const inShape = an.shape(node.inputs[0]);
      const { axis } = nodeAttrs(node) as { axis: number };
      const k = axis < 0 ? axis + inShape.length : axis;
      return reshape(an, node, x, inShape, [prod(inShape.slice(0, k)), prod(inShape.slice(k))]);
    }
    case 'Reshape':
      if (!an.g.initializers.has(node.inputs[1])) return an.refuse(x, `${describe(node)} takes its shape from a run-time value`);
      return reshape(an, node, x, an.shape(node.inputs[0]), an.shape(node.outputs[0]));
    case 'Transpose': {
      const perm = permutation(an.shape(node.inputs[0]).length, nodeAttrs(node) as TransposeAttrs, node);
      return [{ ...x, axis: perm.indexOf(x.axis) }];
    }
    case 'Squeeze':
      return squeeze(an, node, x);
    case 'Unsqueeze':
      return unsqueeze(an, node, x);
    case 'Pad': {
      const constant = node.inputs.slice(1).every((n) => !n || an.g.initializers.has(n));
      if (!constant) return an.refuse(x, `${describe(node)} takes its pads from a run-time value`);
      const { begins, ends } = resolvePads(inferInputs(an.g, node), node);
      if (begins[x.axis] !== 0 || ends[x.axis] !== 0) return an.refuse(x, `${describe(node)} pads the channel axis`);
      return [x];
    }
    default:
      if (REDUCTIONS.has(op)) return reduce(an, node, x);
      consumed.delete(0);
      return [];
  }
}
