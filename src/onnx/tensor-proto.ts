// ONNX TensorProto ↔ IR Tensor: raw_data (little-endian, unaligned, sub-byte packed), typed fields, external data.

import fs from 'node:fs';
import { UserError } from '../errors.js';
import { readFileInFolder, readRegularFile } from '../import/read-file.js';
import { dtypeFromOnnx, dtypeInfo, onnxCodeOf, type DType, type TensorData } from '../ir/dtype.js';
import { checkTensorShape, storageBytesPerElement, type Budget } from '../ir/limits.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { float16Bits, float16FromBits } from '../util/float16.js';
import { onnx, toNumber, type Int64 } from './proto.js';

const EXTERNAL = 1;

/** Where a tensor's bytes may come from besides the proto itself, and what it may cost. */
export interface TensorSource {
  /** The model's folder: external data must be a regular file inside it. */
  baseDir?: string;
  /** The model's constant budget, charged with the tensor's bytes before they are allocated. */
  constants?: Budget;
}

/** Bytes of n elements as ONNX stores them (raw_data, external data): sub-byte types packed. */
function packedBytes(dtype: DType, n: number): number {
  return Math.ceil((n * dtypeInfo(dtype).bits) / 8);
}

/** Read a TensorProto into a Tensor. `where` names it in errors ("initializer 'w'"). */
export function tensorFromProto(p: onnx.ITensorProto, where: string, source: TensorSource = {}): Tensor {
  const code = p.dataType ?? 0;
  const found = dtypeFromOnnx(code);
  if ('unsupported' in found) {
    throw new UserError(`${where} has element type ${found.unsupported}, which edgeprune does not support`);
  }
  const dtype = found.dtype;
  const shape = (p.dims ?? []).map(toNumber);
  checkTensorShape(shape, dtype, where);
  const n = shapeSize(shape);
  source.constants?.charge(n * storageBytesPerElement(dtype), where);
  let raw: Uint8Array | undefined = p.rawData && p.rawData.length > 0 ? p.rawData : undefined;
  if (p.dataLocation === EXTERNAL) raw = readExternal(p, where, packedBytes(dtype, n), source.baseDir);
  // Sizes are checked before the tensor is allocated.
  if (raw) {
    checkRawLength(raw, dtype, n, where);
    const t = new Tensor(dtype, shape);
    decodeRaw(raw, t.data, dtype, n);
    return t;
  }
  checkTypedLength(p, dtype, n, where);
  const t = new Tensor(dtype, shape);
  decodeTypedFields(p, t.data, dtype, n);
  return t;
}

/** A non-negative integer written as decimal digits (external data offset and length), or undefined. */
function byteCount(text: string | undefined, key: string, where: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new UserError(`external data of ${where}: ${key} '${text}' is not a non-negative integer`);
  }
  return n;
}

/**
 * The bytes of an external-data tensor: `location` relative to the model's folder and inside it, a
 * regular file, `offset` and `length` within it, `length` the tensor's size.
 */
function readExternal(p: onnx.ITensorProto, where: string, expected: number, baseDir?: string): Uint8Array {
  const entries = new Map((p.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (location === undefined || location === '') throw new UserError(`${where} refers to external data but names no location`);
  if (!baseDir) throw new UserError(`${where} refers to external data ('${location}'), which only a model file next to its data can use`);
  const what = `external data of ${where}:`;
  const offset = byteCount(entries.get('offset'), 'offset', where) ?? 0;
  const length = byteCount(entries.get('length'), 'length', where);
  if (length !== undefined && length !== expected) {
    throw new UserError(`${what} length ${length} bytes in '${location}', but the tensor's shape needs ${expected}`);
  }
  return readFileInFolder(baseDir, location, offset, expected, what);
}

function checkRawLength(raw: Uint8Array, dtype: DType, n: number, where: string): void {
  const { bits } = dtypeInfo(dtype);
  if (raw.length !== packedBytes(dtype, n)) throw sizeError(where, Math.floor((raw.length * 8) / bits), n);
}

/** The typed field a tensor of this type keeps its values in, and how many entries n elements take. */
function typedField(p: onnx.ITensorProto, dtype: DType, n: number): { list: ArrayLike<unknown> | null | undefined; entries: number } {
  switch (dtype) {
    case 'float32': return { list: p.floatData, entries: n };
    case 'float64': return { list: p.doubleData, entries: n };
    case 'int64': return { list: p.int64Data, entries: n };
    case 'uint32': case 'uint64': return { list: p.uint64Data, entries: n };
    default: {
      const { bits } = dtypeInfo(dtype);
      return { list: p.int32Data, entries: bits < 8 ? Math.ceil(n / (8 / bits)) : n };
    }
  }
}

function checkTypedLength(p: onnx.ITensorProto, dtype: DType, n: number, where: string): void {
  const { list, entries } = typedField(p, dtype, n);
  const got = list?.length ?? 0;
  if (got !== entries) throw sizeError(where, got, entries);
}

function sizeError(where: string, got: number, want: number): UserError {
  return new UserError(`${where} holds ${got} values but its shape needs ${want} (corrupt or truncated model)`);
}

/** raw_data (little-endian, packed) into `out` (length checked by checkRawLength). */
function decodeRaw(raw: Uint8Array, out: TensorData, dtype: DType, n: number): void {
  const { bits, signed } = dtypeInfo(dtype);
  if (bits < 8) {
    unpackSubByte(raw, out as Int8Array | Uint8Array, bits, signed, n);
    return;
  }
  const bytes = bits / 8;
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

/** Typed-field values into `out` (lengths checked by checkTypedLength). */
function decodeTypedFields(p: onnx.ITensorProto, out: TensorData, dtype: DType, n: number): void {
  const o = out as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (dtype) {
    case 'float32': (p.floatData ?? []).forEach((v, i) => (o[i] = v)); return;
    case 'float64': (p.doubleData ?? []).forEach((v, i) => (o[i] = v)); return;
    case 'float16': (p.int32Data ?? []).forEach((v, i) => (o[i] = float16FromBits(v))); return;
    case 'int64': (p.int64Data ?? []).forEach((v, i) => (o[i] = BigInt(v.toString()))); return;
    case 'uint32': (p.uint64Data ?? []).forEach((v, i) => (o[i] = toNumber(v))); return;
    case 'uint64': (p.uint64Data ?? []).forEach((v, i) => (o[i] = BigInt.asUintN(64, BigInt(v.toString())))); return;
    default: break;
  }
  const { bits, signed } = dtypeInfo(dtype);
  if (bits < 8) {
    const bytes = p.int32Data ?? [];
    unpackSubByte(bytes, o, bits, signed, n);
    return;
  }
  (p.int32Data ?? []).forEach((v, i) => (o[i] = v));
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
  const bytes = readRegularFile(file, `tensor file '${file}'`);
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
