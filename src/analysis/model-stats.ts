// Per-layer and total statistics of a graph: parameters, MACs, activation bytes, weight sparsity.

import { byteSize } from '../ir/dtype.js';
import { producers, staticInfo, type Graph, type Node } from '../ir/graph.js';
import { nodeAttrs } from '../ir/interpreter.js';
import { countZeros, shapeSize, type Tensor } from '../ir/tensor.js';
import type { ParamRole, ValueType } from '../ops/op-def.js';
import { opFor } from '../ops/registry.js';
import { liveIntervals, peakLiveBytes } from './liveness.js';

export interface LayerStats {
  name: string;
  op: string;
  /** Shapes of the run-time inputs (constants excluded). */
  inputShapes: number[][];
  outputShapes: number[][];
  params: number;
  macs: number;
  /** Bytes of the layer's outputs. */
  activationBytes: number;
  /** Fraction of zero weights (weight-role parameters only); null when the layer has none. */
  sparsity: number | null;
}

export interface ModelTotals {
  params: number;
  macs: number;
  /** Bytes of the parameters as stored now. */
  weightBytes: number;
  weightBytesFloat32: number;
  /** Estimate after int8 quantization: weights 1 byte, biases int32, normalization folded away. */
  weightBytesInt8: number;
  /** Largest sum of simultaneously live activations (the lower bound of any arena). */
  peakActivationBytes: number;
  zeroWeights: number;
  weights: number;
}

export interface ModelStats {
  layers: LayerStats[];
  totals: ModelTotals;
}

/**
 * The stored parameter behind an input: the initializer itself, or, in QDQ models, the quantized
 * initializer a DequantizeLinear turns into the float weight.
 */
function storedParam(g: Graph, name: string, producerOf: Map<string, Node>): { name: string; tensor: Tensor } | undefined {
  const direct = g.initializers.get(name);
  if (direct) return { name, tensor: direct };
  const p = producerOf.get(name);
  const quantized = p?.opType === 'DequantizeLinear' ? g.initializers.get(p.inputs[0]) : undefined;
  return quantized ? { name: p!.inputs[0], tensor: quantized } : undefined;
}

/** Parameter tensors of a node: the inputs the op marks as parameters, when they are stored constants. */
export function nodeParams(g: Graph, node: Node, producerOf = producers(g)): { name: string; role: ParamRole; tensor: Tensor }[] {
  const roles = opFor(node).paramInputs ?? {};
  const out: { name: string; role: ParamRole; tensor: Tensor }[] = [];
  node.inputs.forEach((name, i) => {
    const role = roles[i];
    const param = role && name ? storedParam(g, name, producerOf) : undefined;
    if (role && param) out.push({ ...param, role });
  });
  return out;
}

export function modelStats(g: Graph): ModelStats {
  const counted = new Set<string>();
  const totals: ModelTotals = {
    params: 0, macs: 0, weightBytes: 0, weightBytesFloat32: 0, weightBytesInt8: 0, peakActivationBytes: 0, zeroWeights: 0, weights: 0,
  };
  const producerOf = producers(g);
  const layers = g.nodes.map((node): LayerStats => {
    const op = opFor(node);
    const ins = node.inputs.map((n) => (n ? (staticInfo(g, n) as ValueType) : undefined));
    const outs = node.outputs.filter((n) => n).map((n) => staticInfo(g, n) as ValueType);
    let params = 0;
    let zeros = 0;
    let weights = 0;
    for (const p of nodeParams(g, node, producerOf)) {
      const n = p.tensor.size;
      if (p.role === 'weight') {
        const z = countZeros(p.tensor);
        zeros += z;
        weights += n;
      }
      if (counted.has(p.name)) continue;
      counted.add(p.name);
      params += n;
      totals.weightBytes += n * byteSize(p.tensor.dtype);
      totals.weightBytesFloat32 += n * 4;
      totals.weightBytesInt8 += p.role === 'weight' ? n : p.role === 'bias' ? 4 * n : 0;
      if (p.role === 'weight') {
        totals.zeroWeights += countZeros(p.tensor);
        totals.weights += n;
      }
    }
    const macs = op.macs ? op.macs(ins, outs, nodeAttrs(node)) : 0;
    totals.params += params;
    totals.macs += macs;
    return {
      name: node.name,
      op: node.opType,
      inputShapes: node.inputs.filter((n) => n && !g.initializers.has(n)).map((n) => [...staticInfo(g, n).shape]),
      outputShapes: outs.map((o) => [...o.shape]),
      params,
      macs,
      activationBytes: outs.reduce((s, o) => s + shapeSize(o.shape) * byteSize(o.dtype), 0),
      sparsity: weights > 0 ? zeros / weights : null,
    };
  });
  totals.peakActivationBytes = peakLiveBytes(liveIntervals(g), g.nodes.length).bytes;
  return { layers, totals };
}
