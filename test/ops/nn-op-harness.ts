// Test helpers for the nn op tests: run one op definition directly, or import a one-node ONNX model.

import { onnxCodeOf, type DType } from '../../src/ir/dtype.js';
import type { AttrValue, Graph, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { onnx } from '../../src/onnx/proto.js';
import { readAttrs, type OpDef } from '../../src/ops/op-def.js';

export const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('float32', shape, values);

export function makeNode(opType: string, inputs: number, attrs: Record<string, AttrValue> = {}, outputs = ['y']): Node {
  return {
    name: `test_${opType}`,
    opType,
    domain: '',
    inputs: Array.from({ length: inputs }, (_, i) => `in${i}`),
    outputs,
    attrs,
  };
}

export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const float = (value: number): AttrValue => ({ kind: 'float', value });
export const str = (value: string): AttrValue => ({ kind: 'string', value });

/**
 * Parse attributes, infer and evaluate; checks that inference and evaluation agree on every
 * output's type and shape. Omitted optional inputs are passed as undefined.
 */
export function runOp<A>(op: OpDef<A>, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, outputs = ['y']): Tensor[] {
  const node = makeNode(op.opType, inputs.length, attrs, outputs);
  node.inputs = inputs.map((t, i) => (t ? `in${i}` : ''));
  const parsed = readAttrs(op, node);
  const inferred = op.infer(inputs.map((t) => t && { dtype: t.dtype, shape: t.shape }), parsed, node);
  const results = op.evaluate(inputs, parsed, node);
  results.forEach((r, i) => {
    if (r.dtype !== inferred[i].dtype || r.shape.join() !== inferred[i].shape.join()) {
      throw new Error(`output ${i}: evaluate gave ${r.dtype} ${r.shape}, infer ${inferred[i].dtype} ${inferred[i].shape}`);
    }
  });
  return results;
}

/** MACs of an op on given input shapes (outputs from its own inference). */
export function macsOf<A>(op: OpDef<A>, shapes: number[][], attrs: Record<string, AttrValue> = {}): number {
  const node = makeNode(op.opType, shapes.length, attrs);
  const parsed = readAttrs(op, node);
  const inputs = shapes.map((shape) => ({ dtype: 'float32' as DType, shape }));
  return op.macs!(inputs, op.infer(inputs, parsed, node), parsed);
}

function valueInfo(name: string, dtype: DType, shape: number[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: onnxCodeOf(dtype), shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

function attrProto(name: string, a: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int': return { name, type: T.INT, i: a.value };
    case 'float': return { name, type: T.FLOAT, f: a.value };
    case 'ints': return { name, type: T.INTS, ints: a.value };
    case 'string': return { name, type: T.STRING, s: Buffer.from(a.value) };
    default: throw new Error(`attribute kind ${a.kind} not needed in these tests`);
  }
}

export interface OneNodeModel {
  opset: number;
  opType: string;
  attrs?: Record<string, AttrValue>;
  /** Graph inputs, in node input order before the initializers. */
  inputs: { name: string; dtype: DType; shape: number[] }[];
  initializers?: { name: string; tensor: Tensor }[];
  outputs: { name: string; dtype: DType; shape: number[] }[];
}

/** Build a one-node float model and import it (upgrade, shape inference, constant folding). */
export function importOneNode(m: OneNodeModel): Graph {
  const inits = m.initializers ?? [];
  const model: onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: m.opset }],
    graph: {
      name: 'test',
      node: [{
        name: 'n',
        opType: m.opType,
        input: [...m.inputs.map((i) => i.name), ...inits.map((i) => i.name)],
        output: m.outputs.map((o) => o.name),
        attribute: Object.entries(m.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
      }],
      input: m.inputs.map((i) => valueInfo(i.name, i.dtype, i.shape)),
      output: m.outputs.map((o) => valueInfo(o.name, o.dtype, o.shape)),
      initializer: inits.map(({ name, tensor }) => ({
        name,
        dims: tensor.shape,
        dataType: onnxCodeOf(tensor.dtype),
        floatData: Array.from(tensor.data as Float32Array),
      })),
    },
  };
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  return loadOnnxBytes(bytes, 'test.onnx');
}
