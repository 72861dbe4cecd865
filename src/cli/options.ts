// Option parsers shared by commands (input shapes, numbers), turning bad values into user errors.

import { UserError } from '../errors.js';
import { parseInputShape, type InputShapes } from '../passes/fix-input-shapes.js';

/** Commander collector for repeatable --input-shape name=1x3x224x224. */
export function collectInputShape(value: string, previous: InputShapes = {}): InputShapes {
  return parseInputShape(value, { ...previous });
}

/** Commander parser for an integer option, with a user error for anything else. */
export function parseIntOption(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new UserError(`${flag} must be an integer, got '${value}'`);
    return n;
  };
}
