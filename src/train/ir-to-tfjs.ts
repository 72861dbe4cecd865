// IR graph → a training plan: the Keras layers (pure data, no tensors) a TF.js model of the graph is built from
// (build-tfjs-model.ts).
//
// Planning walks the nodes in order and maps each to Keras layers (functional API). Every IR value
// is held by a TF.js tensor with a layout permutation (see layout.ts); layers that need a layout
// (convolutions and pools want channels-last, Flatten and Reshape the IR's own order) get a
// Permute in front, shared between readers. Transposes that keep the batch first cost nothing:
// they only change the permutation. Nodes that cannot be mapped are collected with a reason; the
// plan of a graph with such nodes is never built. The planner is planner.ts; one handler per op
// lives in plan-layers.ts and plan-shape-ops.ts, registered here.

import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { nodeAttrs } from '../ir/interpreter.js';
import { batchNorm, conv, gemm, globalPool, matMul, pool } from './plan-layers.js';
import { add, alias, clip, concat, dropout, pad, reshape, softmax, transpose, unary } from './plan-shape-ops.js';
import { Planner, type Handler } from './planner.js';
import type { TrainPlan, Untrainable } from './train-plan.js';

export type { LayerClass, LayerStep, OutputKind, ParamBinding, TrainPlan, Untrainable, WeightRole } from './train-plan.js';

const HANDLERS: Record<string, Handler> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matMul,
  BatchNormalization: batchNorm,
  Relu: (p, n) => unary(p, n, 'ReLU', {}),
  Clip: clip,
  LeakyRelu: (p, n) => unary(p, n, 'LeakyReLU', { alpha: (nodeAttrs(n) as { alpha: number }).alpha }),
  Sigmoid: (p, n) => unary(p, n, 'Activation', { activation: 'sigmoid' }),
  Tanh: (p, n) => unary(p, n, 'Activation', { activation: 'tanh' }),
  Softmax: softmax,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  Flatten: reshape,
  Reshape: reshape,
  Squeeze: reshape,
  Unsqueeze: reshape,
  Transpose: transpose,
  Identity: alias,
  Dropout: dropout,
  Add: add,
  Concat: concat,
  Pad: pad,
};

/** Ops the bridge maps to TF.js layers (some with conditions; see `untrainableNodes`). */
export const TRAINABLE_OPS = Object.keys(HANDLERS).sort();

/** Plan the TF.js model of a graph (no tensors are made). */
export function planTraining(g: Graph): TrainPlan {
  return new Planner(g, HANDLERS).plan();
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
