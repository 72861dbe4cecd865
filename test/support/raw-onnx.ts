// Write ONNX models node by node at any opset, as third-party exporters do (legacy attributes, dynamic dims).
import onnxProto from 'onnx-proto';
import { onnxCodeOf } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { tensorToProto } from '../../src/onnx/tensor-proto.js';

const { onnx } = onnxProto;
const T = onnx.AttributeProto.AttributeType;

export type RawAttr = number | string | number[] | { float: number } | { floats: number[] } | Tensor;

export interface RawNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, RawAttr>;
}

export interface RawModel {
  opset: number;
  producer?: string;
  inputs: { name: string; shape: (number | string)[]; elemType?: number }[];
  outputs: { name: string; shape?: (number | string)[]; elemType?: number }[];
  initializers?: Record<string, Tensor>;
  nodes: RawNode[];
  /** List initializers as graph inputs too (IR version < 4 style). */
  initializersAsInputs?: boolean;
}

function attrProto(name: string, v: RawAttr): onnxProto.onnx.IAttributeProto {
  if (v instanceof Tensor) return { name, type: T.TENSOR, t: tensorToProto(v, name) };
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new Uint8Array(Buffer.from(v)) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}

function valueInfo(name: string, shape: (number | string)[] | undefined, elemType = 1): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: shape ? { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined } },
  };
}

export function rawModel(m: RawModel): Uint8Array {
  const inits = Object.entries(m.initializers ?? {});
  const model = onnx.ModelProto.create({
    irVersion: m.opset >= 13 ? 7 : m.initializersAsInputs ? 3 : 5,
    producerName: m.producer ?? 'test',
    opsetImport: [{ domain: '', version: m.opset }],
    graph: {
      name: 'g',
      node: m.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
      })),
      initializer: inits.map(([name, t]) => tensorToProto(t, name)),
      input: [
        ...m.inputs.map((i) => valueInfo(i.name, i.shape, i.elemType)),
        ...(m.initializersAsInputs ? inits.map(([name, t]) => valueInfo(name, t.shape, onnxCodeOf(t.dtype))) : []),
      ],
      output: m.outputs.map((o) => valueInfo(o.name, o.shape, o.elemType)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
