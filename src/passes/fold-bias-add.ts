// Fold a constant per-channel Add after a bias-less Conv, Gemm or 2-D MatMul into the layer's bias (CNTK, older Keras
// and TF write Conv → Add [C,1,1] → Relu), so that the C backend runs one kernel with the bias and the fused clamp.

import { cloneGraph, consumers, staticInfo, type Graph, type Node } from '../ir/graph.js';
import { invalidateAttrs } from '../ir/interpreter.js';
import { Tensor } from '../ir/tensor.js';
import type { Pass } from './pass.js';

/**
 * The Add's constant as one value per output channel (axis 1) of a `outRank`-D output with `channels` channels, or
 * undefined when it broadcasts along another axis or would grow the output (then the Add is not a bias).
 * [C,1,1] and [1,C,1,1] on NCHW, [C] and [1,C] on a 2-D output, and a single value anywhere are biases; [C] on NCHW
 * is not (numpy broadcasting aligns it with W).
 */
export function perChannelBias(constant: Tensor, outRank: number, channels: number): number[] | undefined {
  const shape = constant.shape;
  if (shape.length > outRank) return undefined;
  // Aligned right: dimension i of the constant meets output axis outRank - shape.length + i.
  const offset = outRank - shape.length;
  for (let i = 0; i < shape.length; i++) {
    const axis = offset + i;
    if (shape[i] !== 1 && !(axis === 1 && shape[i] === channels)) return undefined;
  }
  const perChannel = offset <= 1 && shape[1 - offset] === channels && channels !== 1;
  return Array.from({ length: channels }, (_, c) => constant.at(perChannel ? c : 0));
}

/** Conv without a bias, Gemm without C, or MatMul of a 2-D input by constant 2-D weights (which becomes a Gemm). */
function takesBias(g: Graph, n: Node): boolean {
  if (n.domain !== '' || n.outputs.length !== 1) return false;
  if (n.opType === 'Conv' || n.opType === 'Gemm') return !n.inputs[2];
  if (n.opType !== 'MatMul') return false;
  const w = g.initializers.get(n.inputs[1]);
  return w !== undefined && w.rank === 2 && staticInfo(g, n.inputs[0]).shape.length === 2;
}

function freshName(g: Graph, base: string): string {
  let name = base;
  for (let i = 1; g.initializers.has(name) || g.values.has(name); i++) name = `${base}_${i}`;
  return name;
}

/**
 * Exact in the interpreter (docs/numerics.md): Conv and Gemm add their bias after the whole sum with one float32
 * rounding, which is what the Add computed; MatMul and Gemm share one product loop. A layer that already has a bias
 * is left alone: (sum + b0) + b1 is not sum + (b0 + b1) in float32.
 */
export const foldBiasAdd: Pass = {
  name: 'fold-bias-add',
  run(input: Graph) {
    const g = cloneGraph(input);
    const users = consumers(g);
    const graphOutputs = new Set(g.outputs.map((o) => o.name));
    const producerOf = new Map<string, Node>();
    for (const n of g.nodes) if (n.outputs[0] && !producerOf.has(n.outputs[0])) producerOf.set(n.outputs[0], n);
    const removed = new Set<Node>();
    let changed = false;
    for (const add of g.nodes) {
      if (add.opType !== 'Add' || add.domain !== '' || add.inputs.length !== 2) continue;
      const side = add.inputs.findIndex((name) => g.initializers.has(name));
      if (side < 0) continue;
      const mid = add.inputs[1 - side];
      const layer = producerOf.get(mid);
      if (!layer || !takesBias(g, layer)) continue;
      if ((users.get(mid) ?? []).length !== 1 || graphOutputs.has(mid)) continue;
      const out = staticInfo(g, mid);
      const constant = g.initializers.get(add.inputs[side])!;
      if (out.dtype !== 'float32' || constant.dtype !== 'float32' || out.shape.length < 2) continue;
      const values = perChannelBias(constant, out.shape.length, out.shape[1]);
      if (!values) continue;
      const biasName = freshName(g, `${layer.name || layer.outputs[0]}.bias_addfolded`);
      g.initializers.set(biasName, Tensor.fromNumbers('float32', [values.length], values));
      if (layer.opType === 'MatMul') {
        layer.opType = 'Gemm';
        layer.attrs = {};
      } else if (layer.opType === 'Gemm') {
        const attrs = { ...layer.attrs };
        delete attrs.beta;
        layer.attrs = attrs;
      }
      layer.inputs = [layer.inputs[0], layer.inputs[1], biasName];
      layer.outputs = [add.outputs[0]];
      invalidateAttrs(layer);
      producerOf.set(add.outputs[0], layer);
      g.values.delete(mid);
      removed.add(add);
      changed = true;
    }
    g.nodes = g.nodes.filter((n) => !removed.has(n));
    return { graph: g, changed };
  },
};
