// Read CSV data sets (features then the label, one sample per line; .csv or .csv.gz).

import fs from 'node:fs';
import zlib from 'node:zlib';
import { UserError } from '../errors.js';
import type { Dataset } from './dataset.js';

function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new UserError(`cannot read data file '${file}' (missing or unreadable)`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch {
      throw new UserError(`data file '${file}' is a corrupt gzip file`);
    }
  }
  return bytes.toString('utf8');
}

/**
 * Parse CSV rows of numbers; the last column is an integer class label. A first line that is not
 * numeric is taken as a header.
 */
export function readCsvDataset(file: string, featureShape?: number[]): Dataset {
  const lines = readText(file).split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UserError(`data file '${file}' is empty`);
  const isHeader = lines[0].split(',').some((c) => c.trim() !== '' && Number.isNaN(Number(c)));
  const rows = isHeader ? lines.slice(1) : lines;
  const width = rows[0]?.split(',').length ?? 0;
  if (width < 2) throw new UserError(`data file '${file}' needs at least one feature column and a label column`);
  const featureCount = width - 1;
  const features = new Float32Array(rows.length * featureCount);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const cells = row.split(',');
    const line = r + 1 + (isHeader ? 1 : 0);
    if (cells.length !== width) throw new UserError(`data file '${file}' line ${line} has ${cells.length} columns, expected ${width}`);
    for (let c = 0; c < featureCount; c++) {
      const v = Number(cells[c]);
      if (cells[c].trim() === '' || Number.isNaN(v)) throw new UserError(`data file '${file}' line ${line} column ${c + 1}: '${cells[c]}' is not a number`);
      features[r * featureCount + c] = v;
    }
    const label = Number(cells[featureCount]);
    if (!Number.isInteger(label) || label < 0) throw new UserError(`data file '${file}' line ${line}: label '${cells[featureCount]}' is not a non-negative integer class`);
    labels[r] = label;
  });
  const shape = featureShape ?? [featureCount];
  if (shape.reduce((a, b) => a * b, 1) !== featureCount) {
    throw new UserError(`data file '${file}' has ${featureCount} features per row, which does not fit the sample shape ${shape.join('x')}`);
  }
  let classes = 0;
  for (const l of labels) classes = Math.max(classes, l + 1);
  return { features, labels, count: rows.length, featureShape: shape, classes, source: file };
}
