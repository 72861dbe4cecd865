// The ONNX protobuf schema from onnx-proto, with helpers for its int64 (Long) fields.

import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace onnx {
  type ModelProto = onnxProto.onnx.ModelProto;
  type IModelProto = onnxProto.onnx.IModelProto;
  type GraphProto = onnxProto.onnx.GraphProto;
  type IGraphProto = onnxProto.onnx.IGraphProto;
  type NodeProto = onnxProto.onnx.NodeProto;
  type INodeProto = onnxProto.onnx.INodeProto;
  type TensorProto = onnxProto.onnx.TensorProto;
  type ITensorProto = onnxProto.onnx.ITensorProto;
  type IAttributeProto = onnxProto.onnx.IAttributeProto;
  type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
  type ITypeProto = onnxProto.onnx.ITypeProto;
}

/** protobufjs gives int64 fields as Long objects (or numbers when small). */
export type Int64 = number | { toNumber(): number; toString(): string };

export function toNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
