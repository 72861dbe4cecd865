// Fold a BatchNormalization that comes before a layer (an input normalization) into that layer's weights and bias.
//
// y = a·x + b per channel c, then a Gemm, a 2-D MatMul, or a Conv without padding (group 1) reading y:
// W'[..c..] = W[..c..]·a[c] and bias'[m] = bias[m] + Σ_c Σ_taps W[m, c, ..]·b[c]. Exact up to float rounding;
// a padded Conv is not folded (its padding is real 0 in y, not in x): src/quant/input-normalization.ts
// handles that case when the normalization is the same for every channel.

import { cloneGraph, consumers, type Graph, type Node } from '../ir/graph.js';
import { invalidateAttrs, nodeAttrs } from '../ir/interpreter.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import type { GemmAttrs } from '../ops/gemm.js';
import type { ConvAttrs } from '../ops/util/conv-geometry.js';
import { batchNormConstants, type BatchNormConstants } from '../passes/fold-batchnorm.js';
import type { Pass } from '../passes/pass.js';
import { biasPerOutput } from './qparams.js';

interface Folded {
  weight: Tensor;
  bias: Tensor;
  /** The layer's new op type and attributes (a MatMul becomes a Gemm to hold its bias). */
  opType: string;
  attrs: Node['attrs'];
}

const constant = (g: Graph, name: string | undefined) => (name ? g.initializers.get(name) : undefined);

/** Dense weights (K x M, or M x K with transB) scaled along K, and the bias with Σ_k w[k, m]·shift[k] added (times `scale`, Gemm's alpha). */
function foldDense(w: Tensor, transB: boolean, k: BatchNormConstants, biasIn: number[], scale: number): { weight: Tensor; bias: number[] } | undefined {
  const [rows, cols] = w.shape;
  const K = transB ? cols : rows;
  const M = transB ? rows : cols;
  if (K !== k.scale.length) return undefined;
  const weight = new Tensor('float32', w.shape);
  const bias = [...biasIn];
  for (let kk = 0; kk < K; kk++) {
    for (let m = 0; m < M; m++) {
      const i = transB ? m * K + kk : kk * M + m;
      const v = w.at(i);
      (weight.data as Float32Array)[i] = v * k.scale[kk];
      bias[m] += scale * v * k.shift[kk];
    }
  }
  return { weight, bias };
}

function foldInto(layer: Node, g: Graph, k: BatchNormConstants): Folded | undefined {
  const w = constant(g, layer.inputs[1]);
  if (!w || w.dtype !== 'float32') return undefined;
  if (layer.opType === 'Conv') {
    const a = nodeAttrs(layer) as ConvAttrs;
    const unpadded = (a.autoPad === 'NOTSET' || a.autoPad === 'VALID') && (a.pads ?? []).every((p) => p === 0);
    const b = constant(g, layer.inputs[2]);
    if (!unpadded || a.group !== 1 || w.shape[1] !== k.scale.length || (layer.inputs[2] && !b)) return undefined;
    const M = w.shape[0];
    const C = w.shape[1];
    const taps = shapeSize(w.shape.slice(2));
    const weight = new Tensor('float32', w.shape);
    const bias = Array.from({ length: M }, (_, m) => (b ? b.at(m) : 0));
    for (let m = 0; m < M; m++) {
      for (let c = 0; c < C; c++) {
        for (let t = 0; t < taps; t++) {
          const i = (m * C + c) * taps + t;
          (weight.data as Float32Array)[i] = w.at(i) * k.scale[c];
          bias[m] += w.at(i) * k.shift[c];
        }
      }
    }
    return { weight, bias: Tensor.fromNumbers('float32', [M], bias), opType: 'Conv', attrs: layer.attrs };
  }
  if (w.rank !== 2) return undefined;
  if (layer.opType === 'Gemm') {
    const a = nodeAttrs(layer) as GemmAttrs;
    if (a.transA) return undefined;
    const M = a.transB ? w.shape[0] : w.shape[1];
    const c = constant(g, layer.inputs[2]);
    if (layer.inputs[2] && !c) return undefined;
    const cValues = c ? biasPerOutput(c, M) : new Array<number>(M).fill(0);
    if (!cValues) return undefined;
    const folded = foldDense(w, a.transB, k, cValues.map((v) => v * a.beta), a.alpha);
    if (!folded) return undefined;
    const attrs = { ...layer.attrs };
    delete attrs.beta;
    return { weight: folded.weight, bias: Tensor.fromNumbers('float32', [M], folded.bias), opType: 'Gemm', attrs };
  }
  if (layer.opType === 'MatMul' && (g.values.get(layer.inputs[0])?.shape.length ?? 0) === 2) {
    const folded = foldDense(w, false, k, new Array<number>(w.shape[1]).fill(0), 1);
    if (!folded) return undefined;
    return { weight: folded.weight, bias: Tensor.fromNumbers('float32', [w.shape[1]], folded.bias), opType: 'Gemm', attrs: {} };
  }
  return undefined;
}

export const foldNormalizationForward: Pass = {
  name: 'fold-normalization-forward',
  run(input: Graph) {
    const g = cloneGraph(input);
    const users = consumers(g);
    const graphOutputs = new Set(g.outputs.map((o) => o.name));
    const removed = new Set<Node>();
    for (const bn of g.nodes) {
      if (bn.opType !== 'BatchNormalization' || bn.domain !== '' || graphOutputs.has(bn.outputs[0])) continue;
      const next = users.get(bn.outputs[0]) ?? [];
      if (next.length !== 1 || next[0].inputs[0] !== bn.outputs[0] || next[0].domain !== '') continue;
      const layer = next[0];
      const k = batchNormConstants(g, bn);
      const folded = k && foldInto(layer, g, k);
      if (!folded) continue;
      const wName = `${layer.name}.weight_normfolded`;
      const bName = `${layer.name}.bias_normfolded`;
      g.initializers.set(wName, folded.weight);
      g.initializers.set(bName, folded.bias);
      Object.assign(layer, { opType: folded.opType, attrs: folded.attrs, inputs: [bn.inputs[0], wName, bName] });
      invalidateAttrs(layer);
      g.values.delete(bn.outputs[0]);
      removed.add(bn);
    }
    g.nodes = g.nodes.filter((n) => !removed.has(n));
    return { graph: g, changed: removed.size > 0 };
  },
};
