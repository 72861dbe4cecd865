// Option parsers shared by commands (input shapes, numbers), turning bad values into user errors.

import { UserError } from '../errors.js';
import { parseInputShape, type InputShapes } from '../passes/fix-input-shapes.js';

/** Commander collector for repeatable --input-shape name=1x3x224x224. */
export function collectInputShape(value: string, previous: InputShapes = {}): InputShapes {
  return parseInputShape(value, { ...previous });
}

/**
 * A number as a person writes it in decimal: `12`, `-3`, `0.5`, `.5`, `1e6`, `2.5E-3`. Not accepted:
 * what JavaScript's Number() also reads (`0x10`, `0b1`, `0o7`, `Infinity`, `''`, `' 5 '`, `1_000`),
 * which a user never means as a budget or a count.
 */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export interface NumberRange {
  /** Smallest value allowed (inclusive unless `minExclusive`). */
  min: number;
  /** Largest value allowed (inclusive); Number.MAX_VALUE: any finite value. */
  max: number;
  minExclusive?: boolean;
  /** Only whole numbers. */
  integer?: boolean;
}

function describeRange(r: NumberRange): string {
  const kind = r.integer ? 'an integer' : 'a number';
  const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 6 });
  const upTo = r.max === Number.MAX_VALUE ? '' : r.minExclusive ? ` and at most ${fmt(r.max)}` : ` to ${fmt(r.max)}`;
  if (r.minExclusive) return `${kind} greater than ${fmt(r.min)}${upTo}`;
  return r.max === Number.MAX_VALUE ? `${kind} of at least ${fmt(r.min)}` : `${kind} from ${fmt(r.min)}${upTo}`;
}

/** Parse `value` given for `flag` as a decimal number within `range`, or throw a user error saying what is accepted. */
export function parseNumber(flag: string, value: string, range: NumberRange): number {
  const x = DECIMAL.test(value) ? Number(value) : NaN;
  const tooLow = range.minExclusive ? x <= range.min : x < range.min;
  if (!Number.isFinite(x) || tooLow || x > range.max || (range.integer && !Number.isInteger(x))) {
    throw new UserError(`${flag} must be ${describeRange(range)} in decimal notation, got '${value}'`);
  }
  return x;
}

/** Commander parser for a number option within `range`. */
export function numberOption(flag: string, range: NumberRange): (value: string) => number {
  return (value: string) => parseNumber(flag, value, range);
}

/** Commander parser for an integer option in [min, max]. */
export function parseIntOption(flag: string, min: number, max: number): (value: string) => number {
  return numberOption(flag, { min, max, integer: true });
}

/** Commander parser for a fraction in [0, 1). */
export function fractionOption(flag: string): (value: string) => number {
  return (value: string) => {
    const x = DECIMAL.test(value) ? Number(value) : NaN;
    if (!(x >= 0 && x < 1)) throw new UserError(`${flag} must be a fraction from 0 up to (not including) 1 in decimal notation, got '${value}'`);
    return x;
  };
}

/** Seeds are unsigned 32-bit integers (the generators take them modulo 2^32). */
export const SEED_RANGE = { min: 0, max: 0xffffffff } as const;
