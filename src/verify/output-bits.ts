// C outputs as bytes: read into tensors by dtype, and compared with the interpreter's bit for bit (NaN matching NaN).

import type { DType } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';

/** A tensor's bytes as the C library stores them (a copy). */
export function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

/** A C output buffer as a tensor (little-endian, like every target and the host). */
export function tensorFromBytes(bytes: Uint8Array, like: { dtype: DType; shape: number[] }): Tensor {
  const copy = bytes.slice();
  if (like.dtype === 'int8') return new Tensor('int8', like.shape, new Int8Array(copy.buffer, copy.byteOffset, copy.byteLength));
  if (like.dtype === 'float32') return new Tensor('float32', like.shape, new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4));
  if (like.dtype === 'int64') return new Tensor('int64', like.shape, new BigInt64Array(copy.buffer, copy.byteOffset, copy.byteLength / 8));
  throw new Error(`output of type ${like.dtype}: the C backend writes float32 and int8 outputs (and ArgMax's int64 indices) only`);
}

/** Two output buffers of one dtype hold the same values: float32 as sameFloat32Outputs says, other types byte for byte. */
export function sameOutputs(a: Uint8Array, b: Uint8Array, dtype: DType): boolean {
  if (dtype === 'float32') return sameFloat32Outputs(a, b);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The first element where a C output differs in bits from the interpreter's (any NaN matching any NaN), or null. */
export function firstBitDifference(got: Tensor, want: Tensor): string | null {
  if (sameOutputs(tensorBytes(got), tensorBytes(want), want.dtype)) return null;
  for (let i = 0; i < want.size; i++) {
    const x = got.data[i] as number;
    const y = want.data[i] as number;
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) return `element ${i} is ${x}, the interpreter's ${y}`;
  }
  return 'the bytes differ';
}

/**
 * Host and target float32 outputs agree when their bits are identical, except that any NaN matches
 * any NaN: the sign and payload of a NaN differ between x86 and ARM (0/0 is 0xffc00000 on one,
 * 0x7fc00000 on the other) and carry no meaning. ±Infinity must match exactly (docs/numerics.md).
 */
export function sameFloat32Outputs(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const x = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const y = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i + 4 <= a.length; i += 4) {
    if (x.getUint32(i, true) === y.getUint32(i, true)) continue;
    if (!(Number.isNaN(x.getFloat32(i, true)) && Number.isNaN(y.getFloat32(i, true)))) return false;
  }
  for (let i = a.length - (a.length % 4); i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
