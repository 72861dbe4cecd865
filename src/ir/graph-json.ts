// A graph as plain JSON and back, exactly (tensors as base64 bytes, every float bit kept): what a job payload carries
// when it hands a graph to a worker process, maybe on another machine. No import passes run on the way back.

import type { DType } from './dtype.js';
import { allocData } from './dtype.js';
import type { AttrValue, Graph, Node, ValueInfo } from './graph.js';
import { Tensor } from './tensor.js';

export interface TensorJson {
  dtype: DType;
  shape: number[];
  /** The elements' bytes, base64: exact for every dtype. */
  bytes: string;
}

export function tensorToJson(t: Tensor): TensorJson {
  return { dtype: t.dtype, shape: [...t.shape], bytes: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') };
}

export function tensorFromJson(j: TensorJson): Tensor {
  const data = allocData(j.dtype, j.shape.reduce((a, b) => a * b, 1));
  const bytes = Buffer.from(j.bytes, 'base64');
  if (bytes.length !== data.byteLength) throw new Error(`a tensor of shape [${j.shape.join(',')}] (${j.dtype}) came with ${bytes.length} bytes, expected ${data.byteLength}`);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  return new Tensor(j.dtype, j.shape, data);
}

/** A float attribute value that JSON can carry: NaN, ±Infinity and −0 as strings. */
type NumberJson = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

export function numberToJson(x: number): NumberJson {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return x;
}

export function numberFromJson(x: NumberJson): number {
  return typeof x === 'number' ? x : x === '-0' ? -0 : Number(x);
}

type AttrJson =
  | { kind: 'int' | 'float'; value: NumberJson }
  | { kind: 'ints' | 'floats'; value: NumberJson[] }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: TensorJson };

function attrToJson(a: AttrValue): AttrJson {
  switch (a.kind) {
    case 'int':
    case 'float':
      return { kind: a.kind, value: numberToJson(a.value) };
    case 'ints':
    case 'floats':
      return { kind: a.kind, value: a.value.map(numberToJson) };
    case 'tensor':
      return { kind: 'tensor', value: tensorToJson(a.value) };
    default:
      return a;
  }
}

function attrFromJson(a: AttrJson): AttrValue {
  switch (a.kind) {
    case 'int':
    case 'float':
      return { kind: a.kind, value: numberFromJson(a.value) };
    case 'ints':
    case 'floats':
      return { kind: a.kind, value: a.value.map(numberFromJson) };
    case 'tensor':
      return { kind: 'tensor', value: tensorFromJson(a.value) };
    default:
      return a;
  }
}

export interface GraphJson {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: (Omit<Node, 'attrs'> & { attrs: Record<string, AttrJson> })[];
  /** In the graph's order. */
  initializers: [string, TensorJson][];
  values: ValueInfo[];
  meta: Graph['meta'];
}

const copyInfo = (v: ValueInfo): ValueInfo => ({ name: v.name, dtype: v.dtype, shape: [...v.shape] });

export function graphToJson(g: Graph): GraphJson {
  return {
    name: g.name,
    inputs: g.inputs.map(copyInfo),
    outputs: g.outputs.map(copyInfo),
    nodes: g.nodes.map((n) => ({ name: n.name, opType: n.opType, domain: n.domain, inputs: [...n.inputs], outputs: [...n.outputs], attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, a]) => [k, attrToJson(a)])) })),
    initializers: [...g.initializers].map(([k, t]) => [k, tensorToJson(t)]),
    values: [...g.values.values()].map(copyInfo),
    meta: { ...g.meta },
  };
}

export function graphFromJson(j: GraphJson): Graph {
  return {
    name: j.name,
    inputs: j.inputs.map(copyInfo),
    outputs: j.outputs.map(copyInfo),
    nodes: j.nodes.map((n) => ({ name: n.name, opType: n.opType, domain: n.domain, inputs: [...n.inputs], outputs: [...n.outputs], attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, a]) => [k, attrFromJson(a)])) })),
    initializers: new Map(j.initializers.map(([k, t]) => [k, tensorFromJson(t)])),
    values: new Map(j.values.map((v) => [v.name, copyInfo(v)])),
    meta: { ...j.meta },
  };
}
