// IR graph → ONNX ModelProto bytes in the canonical opset, loadable by onnxruntime and Netron.

import fs from 'node:fs';
import { onnxCodeOf, type DType } from '../ir/dtype.js';
import type { AttrValue, Graph, ValueInfo } from '../ir/graph.js';
import { CANONICAL_OPSET } from '../ops/op-def.js';
import { opFor } from '../ops/registry.js';
import { holdsNarrowMultipliers } from '../quant/narrow-multipliers.js';
import { holdsInt8Ops, lowerInt8ToQdq } from '../quant/onnx/qdq-export.js';
import { VERSION } from '../version.js';
import { onnx } from './proto.js';
import { tensorToProto } from './tensor-proto.js';

/** IR version 10 goes with opset 21 (ONNX 1.16); 11 with opsets 23-25, needed for int2/uint2. */
const irVersionFor = (opset: number) => (opset > 21 ? 11 : 10);

function valueInfoToProto(v: ValueInfo): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: onnxCodeOf(v.dtype),
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attrToProto(name: string, a: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
  switch (a.kind) {
    case 'int': return { name, type: T.INT, i: a.value };
    case 'float': return { name, type: T.FLOAT, f: a.value };
    case 'string': return { name, type: T.STRING, s: bytes(a.value) };
    case 'ints': return { name, type: T.INTS, ints: a.value };
    case 'floats': return { name, type: T.FLOATS, floats: a.value };
    case 'strings': return { name, type: T.STRINGS, strings: a.value.map(bytes) };
    case 'tensor': return { name, type: T.TENSOR, t: tensorToProto(a.value, name) };
  }
}

/** Types the standard opsets accept only from a later version than the canonical one. */
const TYPE_SINCE_OPSET: Partial<Record<DType, number>> = { int2: 25, uint2: 25 };

/** The standard opset to write: the canonical one, or a later one some node or type needs. */
export function exportOpset(g: Graph): number {
  let opset = CANONICAL_OPSET;
  for (const node of g.nodes) opset = Math.max(opset, opFor(node).minExportOpset?.(node) ?? CANONICAL_OPSET);
  const types = [...g.initializers.values(), ...g.values.values(), ...g.inputs, ...g.outputs].map((v) => v.dtype);
  for (const t of types) opset = Math.max(opset, TYPE_SINCE_OPSET[t] ?? CANONICAL_OPSET);
  return opset;
}

export interface ExportOptions {
  /**
   * edgeprune's int8 ops (domain ai.edgeprune): 'qdq' (default) writes them as DequantizeLinear → float op →
   * QuantizeLinear (src/quant/onnx/qdq-export.ts), which onnxruntime runs and which imports back into the same int8
   * ops; 'edgeprune' writes them as they are (only edgeprune reads them). A graph with narrow multipliers
   * (multiplier_bits, src/quant/narrow-multipliers.ts) is always written as it is: QDQ cannot carry the width.
   */
  int8Ops?: 'qdq' | 'edgeprune';
}

/** Serialize a graph; deterministic (same graph, same bytes). */
export function exportOnnx(source: Graph, producerVersion = VERSION, options: ExportOptions = {}): Uint8Array {
  const g = options.int8Ops !== 'edgeprune' && holdsInt8Ops(source) && !holdsNarrowMultipliers(source) ? lowerInt8ToQdq(source) : source;
  const domains = new Set(g.nodes.map((n) => n.domain).filter((d) => d !== ''));
  const opset = exportOpset(g);
  const graphIo = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    producerName: 'edgeprune',
    producerVersion,
    opsetImport: [{ domain: '', version: opset }, ...[...domains].sort().map((domain) => ({ domain, version: 1 }))],
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.keys(n.attrs).sort().map((k) => attrToProto(k, n.attrs[k])),
      })),
      initializer: [...g.initializers].map(([name, t]) => tensorToProto(t, name)),
      input: g.inputs.map(valueInfoToProto),
      output: g.outputs.map(valueInfoToProto),
      valueInfo: [...g.values.values()]
        .filter((v) => !graphIo.has(v.name))
        .map(valueInfoToProto),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Write the ONNX file atomically (a temporary file renamed into place). */
export function writeOnnx(g: Graph, file: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, exportOnnx(g));
  fs.renameSync(tmp, file);
}
