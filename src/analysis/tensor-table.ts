// Every tensor of a graph with its dtype, shape, bytes as stored, and its scale and zero point when it is quantized.

import { byteSize } from '../ir/dtype.js';
import { producers, staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize } from '../ir/tensor.js';
import { opFor } from '../ops/registry.js';
import { tensorQuantization, type TensorQuantization } from './quantization.js';

export type TensorRole = 'input' | 'output' | 'activation' | 'weight' | 'bias' | 'norm' | 'constant';

export interface TensorEntry {
  name: string;
  role: TensorRole;
  dtype: string;
  shape: number[];
  /** Bytes as stored: elements × the dtype's size (int8: 1 byte per element). */
  bytes: number;
  /** Per tensor (a number) or per channel (one per channel along `axis`); null when the tensor is not quantized. */
  scale: number | number[] | null;
  zeroPoint: number | number[] | null;
  axis?: number;
}

/** The graph's inputs, its initializers (role from the ops that read them), and every node output, in graph order. */
export function tensorTable(g: Graph): TensorEntry[] {
  const quant = tensorQuantization(g);
  const roles = new Map<string, TensorRole>();
  for (const node of g.nodes) {
    const params = opFor(node).paramInputs ?? {};
    node.inputs.forEach((name, i) => {
      if (name && g.initializers.has(name) && !roles.has(name)) roles.set(name, params[i] ?? 'constant');
    });
  }
  const outputs = new Set(g.outputs.map((o) => o.name));
  const entry = (name: string, role: TensorRole): TensorEntry => {
    const v = staticInfo(g, name);
    const q: TensorQuantization | undefined = quant.get(name);
    return {
      name, role, dtype: v.dtype, shape: [...v.shape], bytes: shapeSize(v.shape) * byteSize(v.dtype),
      scale: q?.scale ?? null, zeroPoint: q?.zeroPoint ?? null, ...(q?.axis !== undefined ? { axis: q.axis } : {}),
    };
  };
  const seen = new Set<string>();
  const list: TensorEntry[] = [];
  const add = (name: string, role: TensorRole) => {
    if (!name || seen.has(name)) return;
    seen.add(name);
    list.push(entry(name, role));
  };
  for (const v of g.inputs) add(v.name, 'input');
  for (const [name, role] of roles) add(name, role);
  const producerOf = producers(g);
  for (const node of g.nodes) for (const o of node.outputs) if (o && producerOf.get(o) === node) add(o, outputs.has(o) ? 'output' : 'activation');
  return list;
}
