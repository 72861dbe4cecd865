// Option parsers shared by commands (input shapes, numbers), turning bad values into user errors.

import { parseInputShape, type InputShapes } from '../passes/fix-input-shapes.js';

/** Commander collector for repeatable --input-shape name=1x3x224x224. */
export function collectInputShape(value: string, previous: InputShapes = {}): InputShapes {
  return parseInputShape(value, { ...previous });
}
