// Run ONNX bytes in onnxruntime-node (a dev dependency) and convert tensors to and from the IR.
import ort from 'onnxruntime-node';
import type { DType, TensorData } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { float16Bits, float16FromBits } from '../../src/util/float16.js';

const ORT_TYPES: Partial<Record<DType, string>> = {
  float32: 'float32', float64: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool', float16: 'float16',
};

function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new Error(`no onnxruntime type for ${t.dtype}`);
  if (t.dtype === 'float16') return new ort.Tensor('float16', Uint16Array.from(t.data as Float32Array, float16Bits), t.shape);
  return new ort.Tensor(type as 'float32', t.data as Float32Array, t.shape);
}

function fromOrt(t: ort.Tensor): Tensor {
  const dtype = (Object.keys(ORT_TYPES) as DType[]).find((k) => ORT_TYPES[k] === t.type);
  if (!dtype) throw new Error(`unsupported onnxruntime type ${t.type}`);
  if (dtype === 'float16') return new Tensor(dtype, t.dims as number[], Float32Array.from(t.data as Uint16Array, float16FromBits));
  const data = dtype === 'bool' ? Uint8Array.from(t.data as unknown as ArrayLike<number>) : (t.data as TensorData);
  return new Tensor(dtype, t.dims as number[], data);
}

/** Run a model; returns outputs by name. */
export async function runOnnxruntime(model: Uint8Array, feeds: Record<string, Tensor>): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v);
    const results = await session.run(ortFeeds);
    return new Map(Object.entries(results).map(([k, v]) => [k, fromOrt(v)]));
  } finally {
    await session.release();
  }
}
