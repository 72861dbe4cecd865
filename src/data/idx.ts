// Read IDX files (the MNIST family's format: big-endian header, then the values; gzipped or not) as data sets, refusing hostile ones by name.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { UserError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { checkFinite, classesOf } from './numbers.js';
import { readDataFile } from './read-file.js';

/** More values than a data set for a microcontroller model needs (Fashion-MNIST's training images: 47,040,000). */
export const MAX_IDX_ELEMENTS = 2 ** 26;

interface ElementType {
  name: string;
  bytes: number;
  read: (dv: DataView, at: number) => number;
}

/** The type byte of the magic number (third byte): every type the format defines, all big-endian. */
const TYPES: Record<number, ElementType> = {
  0x08: { name: 'unsigned byte', bytes: 1, read: (dv, at) => dv.getUint8(at) },
  0x09: { name: 'signed byte', bytes: 1, read: (dv, at) => dv.getInt8(at) },
  0x0b: { name: 'short', bytes: 2, read: (dv, at) => dv.getInt16(at, false) },
  0x0c: { name: 'int', bytes: 4, read: (dv, at) => dv.getInt32(at, false) },
  0x0d: { name: 'float', bytes: 4, read: (dv, at) => dv.getFloat32(at, false) },
  0x0e: { name: 'double', bytes: 8, read: (dv, at) => dv.getFloat64(at, false) },
};

export interface IdxArray {
  file: string;
  /** Dimensions from the header; the first counts the samples. */
  dims: number[];
  type: string;
  /** The values as float32 (every IDX integer type is exact in float32 except ints beyond 2^24). */
  values: Float32Array;
}

interface IdxHeader {
  type: ElementType;
  dims: number[];
  bytes: number;
}

const HINT = 'IDX files start with 0x00 0x00, a type byte (0x08 unsigned byte ... 0x0E double) and the number of dimensions';

/** Magic, type and dimensions; counts too large to hold are refused here, before anything is allocated. */
function parseHeader(head: Buffer, file: string): IdxHeader {
  if (head.length < 4) throw new UserError(`'${file}' is truncated: ${head.length} bytes, shorter than an IDX header`, HINT);
  if (head[0] !== 0 || head[1] !== 0) throw new UserError(`'${file}' is not an IDX file: its magic number is 0x${head.subarray(0, 4).toString('hex')}, which does not start with two zero bytes`, HINT);
  const type = TYPES[head[2]];
  if (!type) throw new UserError(`'${file}' has IDX type byte 0x${head[2].toString(16).padStart(2, '0')}, which the format does not define`, HINT);
  const rank = head[3];
  if (rank < 1 || rank > 3) throw new UserError(`'${file}' has ${rank} dimensions; edgeprune reads IDX labels (1: samples), rows (2: samples, features) and images (3: samples, rows, columns)`);
  const bytes = 4 + 4 * rank;
  if (head.length < bytes) throw new UserError(`'${file}' is truncated inside its IDX header (${rank} dimensions need ${bytes} bytes, the file has ${head.length})`);
  const dims = Array.from({ length: rank }, (_, i) => head.readUInt32BE(4 + 4 * i));
  const shown = dims.map((d) => d.toLocaleString('en-US')).join(' × ');
  if (dims[0] === 0) throw new UserError(`'${file}' holds no samples (its header counts 0)`);
  if (dims.some((d) => d === 0)) throw new UserError(`'${file}' has samples of ${shown} values: a dimension of 0`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_IDX_ELEMENTS) {
    throw new UserError(`'${file}' claims ${shown} = ${count.toLocaleString('en-US')} values, more than the ${MAX_IDX_ELEMENTS.toLocaleString('en-US')} edgeprune reads`, 'use a smaller data set (or a corrupt header: check the file)');
  }
  return { type, dims, bytes };
}

/** gunzip, or a UserError naming the file: corrupt or truncated, or (over `maxOutputLength`) larger than its header says. */
function gunzip(raw: Buffer, file: string, options: zlib.ZlibOptions, expected = 0): Buffer {
  try {
    return zlib.gunzipSync(raw, options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new UserError(`'${file}' expands to more than the ${expected.toLocaleString('en-US')} bytes its IDX header describes`, 'the header or the data is wrong: download the file again');
    }
    throw new UserError(`'${file}' is a corrupt or truncated gzip file (${(e as Error).message})`, 'download it again, or give the uncompressed file');
  }
}

/** The file's bytes, gunzipped when gzipped; the decompressed size is capped by what the header describes. */
function readBytes(file: string, what: string): { header: IdxHeader; body: Buffer } {
  const raw = readDataFile(file, what);
  const gzipped = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  // The header alone, from at most 1 KiB of compressed bytes (so at most about 1 MiB decompressed).
  const head = gzipped ? gunzip(raw.subarray(0, 1024), file, { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : raw;
  const header = parseHeader(head, file);
  const expected = header.bytes + header.dims.reduce((a, b) => a * b, 1) * header.type.bytes;
  // One byte more than the header describes is enough to tell that the file holds too much: a gzip bomb stops there.
  const body = gzipped ? gunzip(raw, file, { maxOutputLength: expected + 1 }, expected) : raw;
  const describe = `${header.dims.map((d) => d.toLocaleString('en-US')).join(' × ')} ${header.type.name} values`;
  if (body.length < expected) throw new UserError(`'${file}' is truncated: its header describes ${describe} (${(expected - header.bytes).toLocaleString('en-US')} bytes), the file holds ${(body.length - header.bytes).toLocaleString('en-US')}`, 'download it again');
  if (body.length > expected) throw new UserError(`'${file}' has bytes after the ${describe} its header describes: not a valid IDX file`, 'download it again');
  return { header, body };
}

/** Read an IDX file: its dimensions and values. */
export function readIdx(file: string, what = 'IDX file'): IdxArray {
  const { header, body } = readBytes(file, what);
  const n = header.dims.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (header.type.bytes === 1 && header.type.name === 'unsigned byte') {
    values = Float32Array.from(body.subarray(header.bytes));
  } else {
    values = new Float32Array(n);
    const dv = new DataView(body.buffer, body.byteOffset + header.bytes, n * header.type.bytes);
    for (let i = 0; i < n; i++) values[i] = header.type.read(dv, i * header.type.bytes);
  }
  return { file, dims: header.dims, type: header.type.name, values };
}

/** An IDX file name as the MNIST family names them: `train-images-idx3-ubyte(.gz)`, `t10k-labels.idx1-ubyte`, `x.idx`. */
export function isIdxName(file: string): boolean {
  return /[.-]idx\d[.-][a-z]+(\.gz)?$/i.test(path.basename(file)) || /\.idx(\.gz)?$/i.test(file);
}

/** The labels file beside an images file: `images` → `labels` and `idx3` (or idx2) → `idx1` in its name, gzipped or not. */
export function labelsBeside(imagesFile: string): string {
  const base = path.basename(imagesFile);
  const name = base.replace(/images/g, 'labels').replace(/idx[23]/g, 'idx1');
  if (name === base) throw new UserError(`cannot tell which file holds the labels of '${imagesFile}' (its name says neither 'images' nor 'idx3')`, 'give the labels file with --labels');
  const candidate = path.join(path.dirname(imagesFile), name);
  const other = candidate.endsWith('.gz') ? candidate.slice(0, -3) : `${candidate}.gz`;
  if (fs.existsSync(candidate) || !fs.existsSync(other)) return candidate;
  return other;
}

/** A data set from an IDX images file and its labels: samples of [1, rows, columns] (images) or [features], raw values. */
export function idxDataset(imagesFile: string, labels?: string): Dataset {
  const images = readIdx(imagesFile, 'IDX images file');
  if (images.dims.length === 1) throw new UserError(`'${imagesFile}' is an IDX file of one dimension (labels?); --data takes the images file`, 'give the images file (e.g. train-images-idx3-ubyte.gz); its labels are found beside it');
  const [count, ...sample] = images.dims;
  const featureShape = sample.length === 2 ? [1, ...sample] : sample;
  const per = featureShape.reduce((a, b) => a * b, 1);
  // Only the float types can hold NaN or infinities (a double beyond float32 becomes one in the conversion).
  if (images.type === 'float' || images.type === 'double') checkFinite(images.values, per, `'${imagesFile}'`, 'pixel');
  const labelsFile = labels ?? labelsBeside(imagesFile);
  if (!fs.existsSync(labelsFile)) throw new UserError(`no labels for '${imagesFile}': '${labelsFile}' does not exist`, 'give the labels file with --labels');
  const y = readIdx(labelsFile, 'IDX labels file');
  if (y.dims.length !== 1) throw new UserError(`'${labelsFile}' has ${y.dims.length} dimensions (${y.dims.join(' × ')}); an IDX labels file has one (samples)`);
  if (y.dims[0] !== count) throw new UserError(`'${labelsFile}' holds ${y.dims[0].toLocaleString('en-US')} labels, but '${imagesFile}' holds ${count.toLocaleString('en-US')} samples`, 'give the labels file of these images');
  const classes = classesOf(y.values, `'${labelsFile}' sample`);
  return { features: images.values, labels: Int32Array.from(y.values), count, featureShape, classes, source: imagesFile };
}
