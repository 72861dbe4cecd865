// Fold an inference BatchNormalization into the Conv or Gemm before it: scaled weights, shifted bias.

import { cloneGraph, consumers, type Graph, type Node } from '../ir/graph.js';
import { invalidateAttrs, nodeAttrs } from '../ir/interpreter.js';
import { Tensor } from '../ir/tensor.js';
import type { Pass } from './pass.js';

export interface BatchNormConstants {
  scale: number[];
  shift: number[];
}

/** Per channel: y = x*scale + shift with scale = gamma/sqrt(var+eps), shift = beta - mean*scale (in float64). */
export function batchNormConstants(g: Graph, bn: Node): BatchNormConstants | undefined {
  const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5).map((n) => g.initializers.get(n));
  if (!gamma || !beta || !mean || !variance) return undefined;
  const { epsilon } = nodeAttrs(bn) as { epsilon: number };
  const scale = gamma.toNumbers().map((gm, c) => gm / Math.sqrt(variance.at(c) + epsilon));
  const shift = beta.toNumbers().map((b, c) => b - mean.at(c) * scale[c]);
  return { scale, shift };
}

/** New weight and bias for a Conv (weights [M, ...]) or a Gemm with transB (weights [N, K]) or without ([K, N]). */
function foldInto(producer: Node, g: Graph, k: BatchNormConstants): { weight: Tensor; bias: Tensor } | undefined {
  const w = g.initializers.get(producer.inputs[1]);
  const b = producer.inputs[2] ? g.initializers.get(producer.inputs[2]) : undefined;
  if (!w || w.dtype !== 'float32' || (producer.inputs[2] && !b)) return undefined;
  const channels = k.scale.length;
  let channelOf: (i: number) => number;
  let alpha = 1;
  let beta = 1;
  if (producer.opType === 'Conv') {
    if (w.shape[0] !== channels) return undefined;
    const perChannel = w.size / channels;
    channelOf = (i) => Math.floor(i / perChannel);
  } else {
    const a = nodeAttrs(producer) as { alpha: number; beta: number; transA: number; transB: number };
    if (a.transA) return undefined;
    alpha = a.alpha;
    beta = a.beta;
    const n = a.transB ? w.shape[0] : w.shape[1];
    if (n !== channels || (b && b.size !== channels)) return undefined;
    channelOf = a.transB ? (i) => Math.floor(i / w.shape[1]) : (i) => i % w.shape[1];
  }
  const weight = new Tensor('float32', w.shape);
  for (let i = 0; i < w.size; i++) (weight.data as Float32Array)[i] = alpha * w.at(i) * k.scale[channelOf(i)];
  const bias = Tensor.fromNumbers('float32', [channels], k.scale.map((s, c) => (b ? beta * b.at(c) : 0) * s + k.shift[c]));
  return { weight, bias };
}

export const foldBatchNorm: Pass = {
  name: 'fold-batchnorm',
  run(input: Graph) {
    const g = cloneGraph(input);
    const users = consumers(g);
    const graphOutputs = new Set(g.outputs.map((o) => o.name));
    const removed = new Set<Node>();
    // The node whose first output each value is (the first such node, as the graph lists them).
    const firstOutputOf = new Map<string, Node>();
    for (const n of g.nodes) if (n.outputs[0] !== undefined && !firstOutputOf.has(n.outputs[0])) firstOutputOf.set(n.outputs[0], n);
    let changed = false;
    for (const bn of g.nodes) {
      if (bn.opType !== 'BatchNormalization' || bn.domain !== '') continue;
      const producer = firstOutputOf.get(bn.inputs[0]);
      if (!producer || (producer.opType !== 'Conv' && producer.opType !== 'Gemm')) continue;
      const mid = producer.outputs[0];
      if ((users.get(mid) ?? []).length !== 1 || graphOutputs.has(mid)) continue;
      const k = batchNormConstants(g, bn);
      const folded = k && foldInto(producer, g, k);
      if (!folded) continue;
      const wName = `${producer.name}.weight_bnfolded`;
      const bName = `${producer.name}.bias_bnfolded`;
      g.initializers.set(wName, folded.weight);
      g.initializers.set(bName, folded.bias);
      const inputs = [producer.inputs[0], wName, bName];
      const attrs = { ...producer.attrs };
      if (producer.opType === 'Gemm') {
        delete attrs.alpha;
        delete attrs.beta;
      }
      Object.assign(producer, { inputs, attrs, outputs: [bn.outputs[0]] });
      firstOutputOf.set(bn.outputs[0], producer);
      invalidateAttrs(producer);
      g.values.delete(mid);
      removed.add(bn);
      changed = true;
    }
    g.nodes = g.nodes.filter((n) => !removed.has(n));
    return { graph: g, changed };
  },
};
