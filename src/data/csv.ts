// Read CSV data sets (features then the label, one sample per line; .csv or .csv.gz), refusing any cell that is not a finite number.

import zlib from 'node:zlib';
import { UserError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { isDecimal, isNonFiniteSpelling, parseFeatureCell, parseLabelCell } from './numbers.js';
import { readDataFile } from './read-file.js';

/** Largest CSV text read (after gunzip): well under the longest string V8 makes (2^29 characters). */
export const MAX_CSV_BYTES = 256 * 2 ** 20;

function readText(file: string, maxBytes: number): string {
  let bytes = readDataFile(file, 'data file', maxBytes);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UserError(`data file '${file}' expands to more than ${maxBytes.toLocaleString('en-US')} bytes`, 'use a smaller data set');
      }
      throw new UserError(`data file '${file}' is a corrupt gzip file (${(e as Error).message})`, 'compress it again with gzip, or give the plain .csv');
    }
  }
  return bytes.toString('utf8');
}

/**
 * The header rule: a first line is a header only if one of its cells is text, that is neither a
 * number nor a spelling of a non-finite number (nan, inf, Infinity, ...). A first line of numbers
 * with a NaN is data, and refused as such.
 */
export function isHeaderLine(cells: string[]): boolean {
  return cells.some((c) => c.trim() !== '' && !isDecimal(c) && !isNonFiniteSpelling(c));
}

interface Row {
  /** 1-based line number in the file, as a spreadsheet numbers rows. */
  line: number;
  cells: string[];
}

/**
 * Parse CSV rows of numbers; the last column is an integer class label. Every feature must be a
 * finite float32: NaN, ±Infinity, `inf`, empty cells and numbers beyond ±3.4e38 are refused with
 * their row and column (1-based). Files (after gunzip) larger than `maxBytes` are refused.
 */
export function readCsvDataset(file: string, featureShape?: number[], maxBytes = MAX_CSV_BYTES): Dataset {
  const rows: Row[] = [];
  readText(file, maxBytes).split(/\r?\n/).forEach((text, i) => {
    if (text.trim() !== '') rows.push({ line: i + 1, cells: text.split(',') });
  });
  if (rows.length === 0) throw new UserError(`data file '${file}' is empty`);
  const header = isHeaderLine(rows[0].cells) ? rows.shift() : undefined;
  if (rows.length === 0) throw new UserError(`data file '${file}' has a header line but no data rows`);
  const width = rows[0].cells.length;
  if (width < 2) throw new UserError(`data file '${file}' needs at least one feature column and a label column (row ${rows[0].line} has ${width} column)`);
  if (header && header.cells.length !== width) {
    throw new UserError(`data file '${file}' row ${header.line} (the header) has ${header.cells.length} columns, the data rows ${width}`);
  }
  const featureCount = width - 1;
  const features = new Float32Array(rows.length * featureCount);
  const labels = new Int32Array(rows.length);
  const at = (row: Row, column: number) => `data file '${file}' row ${row.line}, column ${column}`;
  let classes = 0;
  rows.forEach((row, r) => {
    const cells = row.cells;
    if (cells.length !== width) throw new UserError(`data file '${file}' row ${row.line} has ${cells.length} columns, expected ${width} (as in row ${rows[0].line})`);
    for (let c = 0; c < featureCount; c++) {
      const cell = parseFeatureCell(cells[c]);
      if ('problem' in cell) throw new UserError(`${at(row, c + 1)}: ${cell.problem}`, 'data must be finite numbers: remove or fill the missing and infinite values');
      features[r * featureCount + c] = cell.value;
    }
    const label = parseLabelCell(cells[featureCount]);
    if ('problem' in label) throw new UserError(`${at(row, width)}: ${label.problem}`, 'the last column holds the class label, an integer 0, 1, 2, ...');
    labels[r] = label.value;
    classes = Math.max(classes, label.value + 1);
  });
  const shape = featureShape ?? [featureCount];
  if (shape.reduce((a, b) => a * b, 1) !== featureCount) {
    throw new UserError(`data file '${file}' has ${featureCount} features per row, which does not fit the sample shape ${shape.join('x')}`);
  }
  return { features, labels, count: rows.length, featureShape: shape, classes, source: file };
}
