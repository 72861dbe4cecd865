// Write small IDX files (the MNIST family's format) for tests: a header, big-endian values, gzipped or not.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPE_BYTES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** The bytes of an IDX file of `dims` with `values` of type byte `type` (0x08 unsigned byte by default). */
export function idxBytes(dims: number[], values: ArrayLike<number>, type = 0x08): Buffer {
  const size = TYPE_BYTES[type] ?? 1;
  const out = Buffer.alloc(4 + 4 * dims.length + values.length * size);
  out.writeUInt8(type, 2);
  out.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  const at = 4 + 4 * dims.length;
  for (let i = 0; i < values.length; i++) {
    const o = at + i * size;
    if (type === 0x08) out.writeUInt8(values[i], o);
    else if (type === 0x09) out.writeInt8(values[i], o);
    else if (type === 0x0b) out.writeInt16BE(values[i], o);
    else if (type === 0x0c) out.writeInt32BE(values[i], o);
    else if (type === 0x0d) out.writeFloatBE(values[i], o);
    else out.writeDoubleBE(values[i], o);
  }
  return out;
}

/** Write `bytes` to `dir/name`, gzipped when the name ends in .gz; returns the path. */
export function writeIdx(dir: string, name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, name.endsWith('.gz') ? zlib.gzipSync(bytes) : bytes);
  return file;
}

/**
 * A synthetic image set: `count` images of rows x cols, class c (of `classes`) lit in horizontal band c, with seeded
 * noise, as `<prefix>-images-idx3-ubyte.gz` and `<prefix>-labels-idx1-ubyte.gz` in `dir`. Returns the images file.
 */
export function writeImageSet(dir: string, prefix: string, count: number, options: { rows?: number; cols?: number; classes?: number; seed?: number } = {}): string {
  const { rows = 28, cols = 28, classes = 4 } = options;
  let state = (options.seed ?? 1) >>> 0;
  const noise = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 26;
  };
  const labels = Array.from({ length: count }, (_, i) => i % classes);
  const pixels: number[] = [];
  const band = Math.max(1, Math.floor(rows / classes));
  labels.forEach((label) => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) pixels.push(Math.min(255, (Math.floor(r / band) === label ? 200 : 0) + noise()));
  });
  writeIdx(dir, `${prefix}-labels-idx1-ubyte.gz`, idxBytes([count], labels));
  return writeIdx(dir, `${prefix}-images-idx3-ubyte.gz`, idxBytes([count, rows, cols], pixels));
}
