// Run ONNX bytes in onnxruntime-node (a dev dependency) and convert tensors to and from the IR.
// First: onnxruntime reads ORT_DISABLE_TELEMETRY once, when it loads.
import '../../bench/support/onnxruntime-no-telemetry.js';
import ort from 'onnxruntime-node';
import type { DType, TensorData } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { float16Bits, float16FromBits } from '../../src/util/float16.js';

const ORT_TYPES: Partial<Record<DType, string>> = {
  float32: 'float32', float64: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool', float16: 'float16',
};

/** 4-bit types travel packed, two values a byte, the first in the low nibble (ONNX's layout). */
const PACKED_4BIT = new Set<DType>(['int4', 'uint4']);

function packNibbles(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] |= (values[i] & 15) << (i & 1 ? 4 : 0);
  return out;
}

function toOrt(t: Tensor): ort.Tensor {
  if (PACKED_4BIT.has(t.dtype)) return new ort.Tensor(t.dtype as 'int4', packNibbles(t.data as Int8Array) as unknown as Int8Array, t.shape);
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
    // A 4-bit output is preallocated: onnxruntime-node crashes the process (out of memory) when it allocates one itself.
    const fetches: Record<string, ort.Tensor | null> = {};
    let preallocated = false;
    for (const o of session.outputMetadata) {
      fetches[o.name] = null;
      if (!o.isTensor || !PACKED_4BIT.has(o.type as DType) || !o.shape.every((d) => typeof d === 'number')) continue;
      const size = (o.shape as number[]).reduce((a, b) => a * b, 1);
      fetches[o.name] = new ort.Tensor(o.type as 'int4', new Uint8Array(Math.ceil(size / 2)) as unknown as Int8Array, o.shape as number[]);
      preallocated = true;
    }
    const results = preallocated ? await session.run(ortFeeds, fetches) : await session.run(ortFeeds);
    return new Map(Object.entries(results).map(([k, v]) => [k, fromOrt(v)]));
  } finally {
    await session.release();
  }
}
