// Helpers for the elementwise op tests: encode a small ONNX model at a chosen opset, import it, run it.

import type { DType } from '../../src/ir/dtype.js';
import { onnxCodeOf } from '../../src/ir/dtype.js';
import type { AttrValue, Graph, Node } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { onnx } from '../../src/onnx/proto.js';
import { tensorToProto } from '../../src/onnx/tensor-proto.js';
import { readAttrs, type UpgradeContext } from '../../src/ops/op-def.js';
import { findOp } from '../../src/ops/registry.js';

export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const float = (value: number): AttrValue => ({ kind: 'float', value });
export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });

export interface TestNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface TestValue {
  name: string;
  dtype: DType;
  shape: number[];
}

export interface TestModel {
  opset: number;
  nodes: TestNode[];
  inputs: TestValue[];
  outputs: TestValue[];
  initializers?: Record<string, Tensor>;
}

function attrProto(name: string, a: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int': return { name, type: T.INT, i: a.value };
    case 'float': return { name, type: T.FLOAT, f: a.value };
    case 'ints': return { name, type: T.INTS, ints: a.value };
    case 'floats': return { name, type: T.FLOATS, floats: a.value };
    case 'string': return { name, type: T.STRING, s: Buffer.from(a.value) };
    default: throw new Error(`test helper cannot encode a ${a.kind} attribute`);
  }
}

function valueInfo(v: TestValue): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: { tensorType: { elemType: onnxCodeOf(v.dtype), shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
  };
}

export function modelBytes(m: TestModel): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: m.opset }],
    graph: {
      name: 'test',
      node: m.nodes.map((n, i) => ({
        name: `n${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
      })),
      input: m.inputs.map(valueInfo),
      output: m.outputs.map(valueInfo),
      initializer: Object.entries(m.initializers ?? {}).map(([name, t]) => tensorToProto(t, name)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export function loadModel(m: TestModel): Graph {
  return loadOnnxBytes(modelBytes(m), 'test.onnx');
}

/** Import and run a model; returns its first output. */
export function runModel(m: TestModel, feeds: Record<string, Tensor> = {}): Tensor {
  const g = loadModel(m);
  return runGraph(g, feeds).get(m.outputs[0].name)!;
}

/** Evaluate one op directly on tensors (attributes parsed as the interpreter does). */
export function evalOp(opType: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, outputs = 1): Tensor[] {
  const op = findOp('', opType);
  if (!op) throw new Error(`no op ${opType}`);
  const node: Node = {
    name: 'test_node',
    opType,
    domain: '',
    inputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: Array.from({ length: outputs }, (_, i) => `out${i}`),
    attrs,
  };
  return op.evaluate(inputs, readAttrs(op, node), node);
}

/** An upgrade context that records the constants it is given. */
export function fakeUpgradeContext(): UpgradeContext & { constants: Map<string, Tensor> } {
  const constants = new Map<string, Tensor>();
  const used = new Set<string>();
  const fresh = (hint: string) => {
    let name = hint;
    for (let i = 1; used.has(name); i++) name = `${hint}_${i}`;
    used.add(name);
    return name;
  };
  return {
    constants,
    addConstant(t, hint) {
      const name = fresh(hint);
      constants.set(name, t);
      return name;
    },
    uniqueName: fresh,
  };
}

export const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('float32', shape, values);
export const values = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint>);
