// Element types of IR tensors: names, storage arrays, ranges and ONNX type codes, defined once.

/** Element types the IR knows. Sub-byte integers are stored one element per byte. */
export type DType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'int2'
  | 'uint2'
  | 'int4'
  | 'uint4'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

export type NumberArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;
export type BigArray = BigInt64Array | BigUint64Array;
export type TensorData = NumberArray | BigArray;

interface DTypeInfo {
  /** ONNX TensorProto.DataType code. */
  onnx: number;
  /** Bits per element in ONNX's packed representation (raw_data). */
  bits: number;
  kind: 'float' | 'int' | 'bool';
  signed: boolean;
  /** Smallest and largest representable value (integers only; floats use ±Infinity). */
  min: number;
  max: number;
  /** Byte size of one element in C (0 for types the C backends never store). */
  cBytes: number;
  make: (n: number) => TensorData;
}

const DTYPES: Record<DType, DTypeInfo> = {
  float32: { onnx: 1, bits: 32, kind: 'float', signed: true, min: -Infinity, max: Infinity, cBytes: 4, make: (n) => new Float32Array(n) },
  float16: { onnx: 10, bits: 16, kind: 'float', signed: true, min: -65504, max: 65504, cBytes: 2, make: (n) => new Float32Array(n) },
  float64: { onnx: 11, bits: 64, kind: 'float', signed: true, min: -Infinity, max: Infinity, cBytes: 8, make: (n) => new Float64Array(n) },
  int2: { onnx: 26, bits: 2, kind: 'int', signed: true, min: -2, max: 1, cBytes: 1, make: (n) => new Int8Array(n) },
  uint2: { onnx: 25, bits: 2, kind: 'int', signed: false, min: 0, max: 3, cBytes: 1, make: (n) => new Uint8Array(n) },
  int4: { onnx: 22, bits: 4, kind: 'int', signed: true, min: -8, max: 7, cBytes: 1, make: (n) => new Int8Array(n) },
  uint4: { onnx: 21, bits: 4, kind: 'int', signed: false, min: 0, max: 15, cBytes: 1, make: (n) => new Uint8Array(n) },
  int8: { onnx: 3, bits: 8, kind: 'int', signed: true, min: -128, max: 127, cBytes: 1, make: (n) => new Int8Array(n) },
  uint8: { onnx: 2, bits: 8, kind: 'int', signed: false, min: 0, max: 255, cBytes: 1, make: (n) => new Uint8Array(n) },
  int16: { onnx: 5, bits: 16, kind: 'int', signed: true, min: -32768, max: 32767, cBytes: 2, make: (n) => new Int16Array(n) },
  uint16: { onnx: 4, bits: 16, kind: 'int', signed: false, min: 0, max: 65535, cBytes: 2, make: (n) => new Uint16Array(n) },
  int32: { onnx: 6, bits: 32, kind: 'int', signed: true, min: -2147483648, max: 2147483647, cBytes: 4, make: (n) => new Int32Array(n) },
  uint32: { onnx: 12, bits: 32, kind: 'int', signed: false, min: 0, max: 4294967295, cBytes: 4, make: (n) => new Uint32Array(n) },
  int64: { onnx: 7, bits: 64, kind: 'int', signed: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, cBytes: 8, make: (n) => new BigInt64Array(n) },
  uint64: { onnx: 13, bits: 64, kind: 'int', signed: false, min: 0, max: Number.MAX_SAFE_INTEGER, cBytes: 8, make: (n) => new BigUint64Array(n) },
  bool: { onnx: 9, bits: 8, kind: 'bool', signed: false, min: 0, max: 1, cBytes: 1, make: (n) => new Uint8Array(n) },
};

export const ALL_DTYPES = Object.keys(DTYPES) as DType[];

/** Names of ONNX element types the IR does not hold, for error messages. */
const UNSUPPORTED_ONNX_TYPES: Record<number, string> = {
  0: 'UNDEFINED',
  8: 'STRING',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  23: 'FLOAT4E2M1',
  24: 'FLOAT8E8M0',
};

export function dtypeInfo(dtype: DType): DTypeInfo {
  return DTYPES[dtype];
}

export function isFloat(dtype: DType): boolean {
  return DTYPES[dtype].kind === 'float';
}

export function isInteger(dtype: DType): boolean {
  return DTYPES[dtype].kind === 'int';
}

/** int64 and uint64 are held as BigInt arrays so that every value is exact. */
export function isBigIntType(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'uint64';
}

export function allocData(dtype: DType, n: number): TensorData {
  return DTYPES[dtype].make(n);
}

export function onnxCodeOf(dtype: DType): number {
  return DTYPES[dtype].onnx;
}

/** The IR dtype for an ONNX data type code, or a readable name of the unsupported type. */
export function dtypeFromOnnx(code: number): { dtype: DType } | { unsupported: string } {
  for (const name of ALL_DTYPES) if (DTYPES[name].onnx === code) return { dtype: name };
  return { unsupported: UNSUPPORTED_ONNX_TYPES[code] ?? `type code ${code}` };
}

/** Bytes one element takes in generated code and memory plans. */
export function byteSize(dtype: DType): number {
  return DTYPES[dtype].cBytes;
}

/** Clamp and round-trip a number into an integer dtype's range (saturation). */
export function saturate(dtype: DType, v: number): number {
  const info = DTYPES[dtype];
  return v < info.min ? info.min : v > info.max ? info.max : v;
}
