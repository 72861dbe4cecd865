// The graph IR: typed values, nodes with typed attributes, initializers, and helpers to query them.

import type { DType } from './dtype.js';
import type { Shape, Tensor } from './tensor.js';

/** A dimension is a number once shapes are fixed; a string names a dynamic (symbolic) dimension. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[];
}

/** A value whose shape is fully static: what every tensor is after import. */
export interface StaticValueInfo {
  name: string;
  dtype: DType;
  shape: number[];
}

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: Tensor };

export interface Node {
  name: string;
  opType: string;
  /** Operator domain: '' for the ONNX standard set, 'com.microsoft' etc. otherwise. */
  domain: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers: Map<string, Tensor>;
  /** Types and shapes of every value (inputs, outputs, intermediates), filled by shape inference. */
  values: Map<string, ValueInfo>;
  /** Where the model came from, kept for reports and export. */
  meta: { producer: string; source: string; docString?: string };
}

export function emptyGraph(name: string, source = 'edgeprune'): Graph {
  return {
    name,
    inputs: [],
    outputs: [],
    nodes: [],
    initializers: new Map(),
    values: new Map(),
    meta: { producer: source, source },
  };
}

/** A shallow structural copy: nodes, maps and lists are new, tensors are shared. */
export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    inputs: g.inputs.map((v) => ({ ...v, shape: [...v.shape] })),
    outputs: g.outputs.map((v) => ({ ...v, shape: [...v.shape] })),
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    initializers: new Map(g.initializers),
    values: new Map([...g.values].map(([k, v]) => [k, { ...v, shape: [...v.shape] }])),
    meta: { ...g.meta },
  };
}

/** The static type of a value; throws if unknown or still dynamic (an internal error after import). */
export function staticInfo(g: Graph, name: string): StaticValueInfo {
  const init = g.initializers.get(name);
  if (init) return { name, dtype: init.dtype, shape: init.shape };
  const v = g.values.get(name);
  if (!v) throw new Error(`value '${name}' has no type information (run shape inference first)`);
  if (v.shape.some((d) => typeof d !== 'number')) throw new Error(`value '${name}' still has a dynamic shape`);
  return { name, dtype: v.dtype, shape: v.shape as number[] };
}

export function isStaticShape(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

/** Map from value name to the node that produces it. */
export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/** Map from value name to the nodes that read it. */
export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const list = m.get(i);
      if (list) list.push(n);
      else m.set(i, [n]);
    }
  }
  return m;
}

/** Shape as a readable string, symbolic dims included. */
export function dimsToString(shape: readonly Dim[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('x');
}

export type { Shape };
