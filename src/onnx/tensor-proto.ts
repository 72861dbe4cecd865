// ONNX TensorProto ↔ IR Tensor: raw_data (little-endian, unaligned, sub-byte packed), typed fields, external data.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { dtypeFromOnnx, dtypeInfo, onnxCodeOf, type DType, type TensorData } from '../ir/dtype.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { float16Bits, float16FromBits } from '../util/float16.js';
import { onnx, toNumber, type Int64 } from './proto.js';

const EXTERNAL = 1;
/** More elements than any model for a microcontroller or FPGA holds in one tensor: a corrupt file. */
const MAX_ELEMENTS = 2 ** 28;

/** Read a TensorProto into a Tensor. `where` names it in errors; `baseDir` resolves external data. */
export function tensorFromProto(p: onnx.ITensorProto, where: string, baseDir?: string): Tensor {
  const code = p.dataType ?? 0;
  const found = dtypeFromOnnx(code);
  if ('unsupported' in found) {
    throw new UserError(`${where} has element type ${found.unsupported}, which edgeprune does not support`);
  }
  const dtype = found.dtype;
  const shape = (p.dims ?? []).map(toNumber);
  if (shape.some((d) => d < 0 || !Number.isInteger(d))) throw new UserError(`${where} has an invalid shape [${shape.join(', ')}]`);
  const n = shapeSize(shape);
  if (n > MAX_ELEMENTS) throw new UserError(`${where} claims ${n} elements (shape ${shape.join('x')}); the file is corrupt or not a tensor`);
  const t = new Tensor(dtype, shape);
  let raw: Uint8Array | undefined = p.rawData && p.rawData.length > 0 ? p.rawData : undefined;
  if (p.dataLocation === EXTERNAL) raw = readExternal(p, where, baseDir);
  if (raw) {
    decodeRaw(raw, t.data, dtype, n, where);
    return t;
  }
  decodeTypedFields(p, t.data, dtype, n, where);
  return t;
}

function readExternal(p: onnx.ITensorProto, where: string, baseDir?: string): Uint8Array {
  const entries = new Map((p.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location || !baseDir) throw new UserError(`${where} refers to external data that cannot be located`);
  const file = path.resolve(baseDir, location);
  if (!fs.existsSync(file)) throw new UserError(`${where} stores its data in '${location}', which is missing next to the model`);
  const buf = fs.readFileSync(file);
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : buf.length - offset;
  if (offset + length > buf.length) throw new UserError(`${where}: external data file '${location}' is shorter than the tensor`);
  return new Uint8Array(buf.buffer, buf.byteOffset + offset, length);
}

function sizeError(where: string, got: number, want: number): UserError {
  return new UserError(`${where} holds ${got} values but its shape needs ${want} (corrupt or truncated model)`);
}

function decodeRaw(raw: Uint8Array, out: TensorData, dtype: DType, n: number, where: string): void {
  const { bits, signed } = dtypeInfo(dtype);
  if (bits < 8) {
    const perByte = 8 / bits;
    if (raw.length !== Math.ceil(n / perByte)) throw sizeError(where, raw.length * perByte, n);
    unpackSubByte(raw, out as Int8Array | Uint8Array, bits, signed, n);
    return;
  }
  const bytes = bits / 8;
  if (raw.length !== n * bytes) throw sizeError(where, Math.floor(raw.length / bytes), n);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const o = out as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (let i = 0; i < n; i++) {
    const at = i * bytes;
    switch (dtype) {
      case 'float32': o[i] = dv.getFloat32(at, true); break;
      case 'float64': o[i] = dv.getFloat64(at, true); break;
      case 'float16': o[i] = float16FromBits(dv.getUint16(at, true)); break;
      case 'int8': o[i] = dv.getInt8(at); break;
      case 'uint8': case 'bool': o[i] = dv.getUint8(at); break;
      case 'int16': o[i] = dv.getInt16(at, true); break;
      case 'uint16': o[i] = dv.getUint16(at, true); break;
      case 'int32': o[i] = dv.getInt32(at, true); break;
      case 'uint32': o[i] = dv.getUint32(at, true); break;
      case 'int64': o[i] = dv.getBigInt64(at, true); break;
      case 'uint64': o[i] = dv.getBigUint64(at, true); break;
      default: throw new Error(`raw decoding of ${dtype} is missing`);
    }
  }
}

/** Sub-byte integers are packed low bits first: element 0 in bits 0..b-1 of byte 0. */
function unpackSubByte(raw: ArrayLike<number>, out: Int8Array | Uint8Array, bits: number, signed: boolean, n: number): void {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  for (let i = 0; i < n; i++) {
    let v = (raw[Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
    if (signed && v >= 1 << (bits - 1)) v -= 1 << bits;
    out[i] = v;
  }
}

function decodeTypedFields(p: onnx.ITensorProto, out: TensorData, dtype: DType, n: number, where: string): void {
  const o = out as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const take = <T>(list: T[] | null | undefined, expected: number): T[] => {
    const l = list ?? [];
    if (l.length !== expected) throw sizeError(where, l.length, expected);
    return l;
  };
  switch (dtype) {
    case 'float32': take(p.floatData, n).forEach((v, i) => (o[i] = v)); return;
    case 'float64': take(p.doubleData, n).forEach((v, i) => (o[i] = v)); return;
    case 'float16': take(p.int32Data, n).forEach((v, i) => (o[i] = float16FromBits(v))); return;
    case 'int64': take<Int64>(p.int64Data, n).forEach((v, i) => (o[i] = BigInt(v.toString()))); return;
    case 'uint32': take<Int64>(p.uint64Data, n).forEach((v, i) => (o[i] = toNumber(v))); return;
    case 'uint64': take<Int64>(p.uint64Data, n).forEach((v, i) => (o[i] = BigInt.asUintN(64, BigInt(v.toString())))); return;
    default: break;
  }
  const { bits, signed } = dtypeInfo(dtype);
  if (bits < 8) {
    const bytes = take(p.int32Data, Math.ceil(n / (8 / bits)));
    unpackSubByte(bytes, o, bits, signed, n);
    return;
  }
  take(p.int32Data, n).forEach((v, i) => (o[i] = v));
}

/** Write a Tensor as a TensorProto with raw_data. */
export function tensorToProto(t: Tensor, name: string): onnx.TensorProto {
  return onnx.TensorProto.create({
    name,
    dataType: onnxCodeOf(t.dtype),
    dims: t.shape,
    rawData: encodeRaw(t),
  });
}

export function encodeRaw(t: Tensor): Uint8Array {
  const { bits } = dtypeInfo(t.dtype);
  const n = t.size;
  if (bits < 8) {
    const perByte = 8 / bits;
    const mask = (1 << bits) - 1;
    const out = new Uint8Array(Math.ceil(n / perByte));
    for (let i = 0; i < n; i++) out[Math.floor(i / perByte)] |= ((t.data[i] as number) & mask) << ((i % perByte) * bits);
    return out;
  }
  const bytes = bits / 8;
  const out = new Uint8Array(n * bytes);
  const dv = new DataView(out.buffer);
  const d = t.data as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (let i = 0; i < n; i++) {
    const at = i * bytes;
    switch (t.dtype) {
      case 'float32': dv.setFloat32(at, d[i], true); break;
      case 'float64': dv.setFloat64(at, d[i], true); break;
      case 'float16': dv.setUint16(at, float16Bits(d[i]), true); break;
      case 'int8': dv.setInt8(at, d[i]); break;
      case 'uint8': case 'bool': dv.setUint8(at, d[i]); break;
      case 'int16': dv.setInt16(at, d[i], true); break;
      case 'uint16': dv.setUint16(at, d[i], true); break;
      case 'int32': dv.setInt32(at, d[i], true); break;
      case 'uint32': dv.setUint32(at, d[i], true); break;
      case 'int64': dv.setBigInt64(at, d[i], true); break;
      case 'uint64': dv.setBigUint64(at, d[i], true); break;
      default: throw new Error(`raw encoding of ${t.dtype} is missing`);
    }
  }
  return out;
}

/** Read a serialized TensorProto file (the `input_N.pb` / `output_N.pb` of ONNX test data). */
export function readTensorFile(file: string): { name: string; tensor: Tensor } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new UserError(`cannot read tensor file '${file}'`);
  }
  let p: onnx.TensorProto;
  try {
    p = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new UserError(`'${file}' is not a serialized ONNX TensorProto (${(e as Error).message})`);
  }
  return { name: p.name ?? '', tensor: tensorFromProto(p, `tensor file '${file}'`) };
}

/** Write a tensor as a serialized TensorProto file. */
export function writeTensorFile(file: string, t: Tensor, name = ''): void {
  fs.writeFileSync(file, onnx.TensorProto.encode(tensorToProto(t, name)).finish());
}
