// The number rules of data files: strict decimal cells, finite float32 values, integer class labels, and where a bad value sits.

import { UserError } from '../errors.js';

/** A decimal number as a spreadsheet writes it: sign, digits, fraction, exponent (no hex, no spaces inside). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** The spellings of non-finite numbers that data tools write (numpy, pandas, C printf, JavaScript). */
const NON_FINITE = /^[+-]?(nan|inf|infinity|1\.#inf|1\.#ind|1\.#qnan)$/i;

/** Class labels are 0 .. MAX_CLASSES - 1: more classes than any model for a microcontroller has is a broken labels column. */
export const MAX_CLASSES = 10_000;

/** Whether a cell spells a non-finite number (nan, inf, -Infinity, ...). */
export function isNonFiniteSpelling(text: string): boolean {
  return NON_FINITE.test(text.trim());
}

/** Whether a cell is a decimal number (finite or not as a float32). */
export function isDecimal(text: string): boolean {
  return DECIMAL.test(text.trim());
}

/** What is wrong with a value as a float32 feature ("is NaN, not a finite number"), or null when it is a finite float32. */
export function nonFiniteProblem(v: number): string | null {
  if (Number.isNaN(v)) return 'is NaN, not a finite number';
  if (!Number.isFinite(v)) return `is ${v}, not a finite number`;
  if (!Number.isFinite(Math.fround(v))) return `is ${v}, which overflows float32 (largest ±3.4e38)`;
  return null;
}

/** A data cell as a float32 feature value, or what is wrong with it. */
export function parseFeatureCell(text: string): { value: number } | { problem: string } {
  const t = text.trim();
  if (t === '') return { problem: 'the cell is empty' };
  if (NON_FINITE.test(t)) return { problem: `'${t}' is not a finite number` };
  if (!DECIMAL.test(t)) return { problem: `'${t}' is not a number` };
  const v = Number(t);
  if (!Number.isFinite(Math.fround(v))) return { problem: `'${t}' overflows float32 (largest ±3.4e38)` };
  return { value: v };
}

/** What is wrong with a number as a class label, or null when it is one (an integer in 0 .. MAX_CLASSES - 1). */
export function labelProblem(v: number): string | null {
  if (!Number.isFinite(v)) return 'is not a finite number';
  if (!Number.isInteger(v)) return 'is not an integer class';
  if (v < 0) return 'is negative; class labels are 0, 1, 2, ...';
  if (v >= MAX_CLASSES) return `is too large: class labels go up to ${MAX_CLASSES - 1} (at most ${MAX_CLASSES.toLocaleString('en-US')} classes)`;
  return null;
}

/** Number of classes (largest label + 1); any label that is not an integer in 0 .. MAX_CLASSES - 1 is refused with its row. */
export function classesOf(labels: ArrayLike<number>, where: string): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const problem = labelProblem(labels[i]);
    if (problem) throw new UserError(`${where} row ${i + 1}: label ${labels[i]} ${problem}`, 'labels are integer classes 0, 1, 2, ...');
    max = Math.max(max, labels[i]);
  }
  return max + 1;
}

/** A label cell as a class, or what is wrong with it. */
export function parseLabelCell(text: string): { value: number } | { problem: string } {
  const t = text.trim();
  if (t === '') return { problem: 'the label cell is empty' };
  if (!DECIMAL.test(t)) return { problem: `label '${t}' is not a number` };
  const problem = labelProblem(Number(t));
  return problem ? { problem: `label '${t}' ${problem}` } : { value: Number(t) };
}

/** Index of the first value that is not a finite float32, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(Math.fround(values[i]))) return i;
  return -1;
}

/** "row r, column c" (1-based, as a spreadsheet shows) of flat element `index` in rows of `width` values. */
export function rowColumn(index: number, width: number): string {
  const w = Math.max(1, width);
  return `row ${Math.floor(index / w) + 1}, column ${(index % w) + 1}`;
}

/** Refuse any value that is not a finite float32: `where` names the data, rows hold `width` values each. */
export function checkFinite(values: ArrayLike<number>, width: number, where: string, what = 'value'): void {
  const i = firstNonFinite(values);
  if (i < 0) return;
  throw new UserError(`${where} ${rowColumn(i, width)}: the ${what} ${nonFiniteProblem(values[i])}`, 'data must be finite numbers: remove or fill the missing and infinite values');
}
