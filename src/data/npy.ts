// Read NumPy .npy files (format versions 1-3, numeric types of either byte order, C order), refusing malformed ones with the reason.

import fs from 'node:fs';
import { UserError } from '../errors.js';
import { float16FromBits } from '../util/float16.js';
import { readDataFile } from './read-file.js';

export interface NpyArray {
  shape: number[];
  /** numpy dtype string, e.g. '<f4'. */
  descr: string;
  /** Values as JS numbers (int64 converted; fine for labels and features). */
  data: Float64Array;
  /** Whether the dtype holds integers (or bools): class labels rather than regression targets. */
  integral: boolean;
}

/** More values than a data set for a microcontroller model needs (the values are held as float64). */
export const MAX_NPY_ELEMENTS = 2 ** 26;

type Reader = (dv: DataView, at: number, little: boolean) => number;

const READERS: Record<string, [bytes: number, read: Reader]> = {
  f2: [2, (dv, at, le) => float16FromBits(dv.getUint16(at, le))],
  f4: [4, (dv, at, le) => dv.getFloat32(at, le)],
  f8: [8, (dv, at, le) => dv.getFloat64(at, le)],
  i1: [1, (dv, at) => dv.getInt8(at)],
  u1: [1, (dv, at) => dv.getUint8(at)],
  i2: [2, (dv, at, le) => dv.getInt16(at, le)],
  u2: [2, (dv, at, le) => dv.getUint16(at, le)],
  i4: [4, (dv, at, le) => dv.getInt32(at, le)],
  u4: [4, (dv, at, le) => dv.getUint32(at, le)],
  i8: [8, (dv, at, le) => Number(dv.getBigInt64(at, le))],
  u8: [8, (dv, at, le) => Number(dv.getBigUint64(at, le))],
  b1: [1, (dv, at) => dv.getUint8(at)],
};

const SUPPORTED = 'float16/32/64, (u)int8-64 and bool';

interface NpyHeader {
  descr: string;
  shape: number[];
  dataStart: number;
}

/** Parse the magic, version and the header dict: `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. */
function parseHeader(buf: Buffer, file: string): NpyHeader {
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new UserError(`'${file}' is not a NumPy .npy file (no \\x93NUMPY magic)`, 'save it with numpy.save');
  }
  const major = buf.readUInt8(6);
  if (major < 1 || major > 3) throw new UserError(`'${file}' is .npy format version ${major}.${buf.readUInt8(7)}; edgeprune reads versions 1 to 3`);
  const headerStart = major === 1 ? 10 : 12;
  if (buf.length < headerStart) throw new UserError(`'${file}' is truncated inside its .npy header`);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  if (headerStart + headerLen > buf.length) throw new UserError(`'${file}' is truncated: its .npy header claims ${headerLen} bytes, the file has ${buf.length - headerStart} after the preamble`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', headerStart, headerStart + headerLen).trim();
  const shown = header.length > 120 ? `${header.slice(0, 120)}…` : header;
  const bad = (why: string) => new UserError(`'${file}' has a malformed .npy header (${why}): ${JSON.stringify(shown)}`, 'save it again with numpy.save');
  if (!header.startsWith('{') || !header.endsWith('}')) throw bad('not a Python dict');
  if (/'descr':\s*\[/.test(header)) throw new UserError(`'${file}' holds a structured (record) array; supported: plain arrays of ${SUPPORTED}`);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)\b/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) throw bad("no 'descr'");
  if (fortran === undefined) throw bad("no 'fortran_order'");
  if (shapeText === undefined) throw bad("no 'shape' tuple");
  if (fortran === 'True') throw new UserError(`'${file}' is stored in Fortran order`, 'save it with numpy.save(file, numpy.ascontiguousarray(a))');
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (dims.some((d) => !/^\d+L?$/.test(d))) throw bad(`shape (${shapeText}) is not a tuple of non-negative integers`);
  const shape = dims.map((d) => Number.parseInt(d, 10));
  return { descr, shape, dataStart: headerStart + headerLen };
}

function readerOf(descr: string, file: string): { bytes: number; read: Reader; little: boolean } {
  const order = descr[0];
  const reader = READERS[descr.slice(1)];
  if (!reader || !['<', '>', '|', '='].includes(order)) throw new UserError(`'${file}' has dtype '${descr}'; supported: ${SUPPORTED}`, 'convert it with a.astype(numpy.float32) (features) or a.astype(numpy.int64) (labels)');
  return { bytes: reader[0], read: reader[1], little: order !== '>' };
}

/** Read a .npy array; a UserError for anything malformed (header, dtype, order, size). */
export function readNpy(file: string): NpyArray {
  const buf = readDataFile(file, 'NumPy file');
  const { descr, shape, dataStart } = parseHeader(buf, file);
  const { bytes, read, little } = readerOf(descr, file);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_NPY_ELEMENTS) throw new UserError(`'${file}' has shape (${shape.join(', ')}): ${count.toLocaleString('en-US')} values, more than the ${MAX_NPY_ELEMENTS.toLocaleString('en-US')} edgeprune reads`, 'use a smaller data set');
  const have = buf.length - dataStart;
  if (have < count * bytes) throw new UserError(`'${file}' is truncated: shape (${shape.join(', ')}) of '${descr}' needs ${count * bytes} bytes of data, the file has ${have}`);
  if (have > count * bytes) throw new UserError(`'${file}' has ${have - count * bytes} bytes after the data that shape (${shape.join(', ')}) of '${descr}' needs: not a valid .npy file`);
  const dv = new DataView(buf.buffer, buf.byteOffset + dataStart, count * bytes);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = read(dv, i * bytes, little);
  return { shape, descr, data, integral: descr[1] !== 'f' };
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
