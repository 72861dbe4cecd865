// Read NumPy .npy files (format versions 1-3, little-endian numeric types, C order) as float or int arrays.

import fs from 'node:fs';
import { UserError } from '../errors.js';

export interface NpyArray {
  shape: number[];
  /** numpy dtype string, e.g. '<f4'. */
  descr: string;
  /** Values as JS numbers (int64 converted; fine for labels and features). */
  data: Float64Array;
}

const READERS: Record<string, [bytes: number, read: (dv: DataView, at: number) => number]> = {
  f4: [4, (dv, at) => dv.getFloat32(at, true)],
  f8: [8, (dv, at) => dv.getFloat64(at, true)],
  i1: [1, (dv, at) => dv.getInt8(at)],
  u1: [1, (dv, at) => dv.getUint8(at)],
  i2: [2, (dv, at) => dv.getInt16(at, true)],
  u2: [2, (dv, at) => dv.getUint16(at, true)],
  i4: [4, (dv, at) => dv.getInt32(at, true)],
  u4: [4, (dv, at) => dv.getUint32(at, true)],
  i8: [8, (dv, at) => Number(dv.getBigInt64(at, true))],
  u8: [8, (dv, at) => Number(dv.getBigUint64(at, true))],
  b1: [1, (dv, at) => dv.getUint8(at)],
};

export function readNpy(file: string): NpyArray {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    throw new UserError(`cannot read NumPy file '${file}'`);
  }
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new UserError(`'${file}' is not a NumPy .npy file (no \\x93NUMPY magic)`);
  }
  const major = buf.readUInt8(6);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', headerStart, headerStart + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new UserError(`'${file}' has an unreadable .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new UserError(`'${file}' is stored in Fortran order; save it with numpy.ascontiguousarray first`);
  const kind = descr.slice(1);
  const reader = READERS[kind];
  if (!reader || descr[0] === '>') throw new UserError(`'${file}' has dtype '${descr}'; supported: little-endian float32/64, (u)int8-64, bool`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const [bytes, read] = reader;
  const dataStart = headerStart + headerLen;
  if (buf.length - dataStart < count * bytes) throw new UserError(`'${file}' is truncated: shape (${shape.join(', ')}) needs ${count * bytes} bytes of data`);
  const dv = new DataView(buf.buffer, buf.byteOffset + dataStart, count * bytes);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = read(dv, i * bytes);
  return { shape, descr, data };
}

/** Write a float32 or int64 .npy file (for tests and exported data). */
export function writeNpy(file: string, shape: number[], values: ArrayLike<number>, dtype: 'f4' | 'i8' = 'f4'): void {
  let header = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const bytes = dtype === 'f4' ? 4 : 8;
  const out = Buffer.alloc(10 + header.length + values.length * bytes);
  out.writeUInt8(0x93, 0);
  out.write('NUMPY', 1, 'latin1');
  out.writeUInt8(1, 6);
  out.writeUInt8(0, 7);
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  const at = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'f4') out.writeFloatLE(values[i], at + i * 4);
    else out.writeBigInt64LE(BigInt(Math.trunc(values[i])), at + i * 8);
  }
  fs.writeFileSync(file, out);
}
