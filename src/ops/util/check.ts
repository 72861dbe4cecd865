// Input checks shared by op files: element types, ranks, and reading constant inputs.

import { nodeError } from '../../errors.js';
import type { DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { InferInput, ValueType } from '../op-def.js';

export const FLOAT_TYPES: readonly DType[] = ['float32', 'float16', 'float64'];
export const NUMERIC_TYPES: readonly DType[] = [
  'float32', 'float16', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64',
];

/** The input at `i`, which must be present. */
export function required<T>(inputs: readonly (T | undefined)[], i: number, node: Node): T {
  const v = inputs[i];
  if (v === undefined) throw nodeError(node, `input ${i} is required`);
  return v;
}

export function requireType(v: ValueType, allowed: readonly DType[], node: Node, what: string): void {
  if (!allowed.includes(v.dtype)) throw nodeError(node, `${what} has type ${v.dtype}; supported: ${allowed.join(', ')}`);
}

/** All given values share one element type; returns it. */
export function sameType(values: readonly (ValueType | undefined)[], node: Node): DType {
  const present = values.filter((v): v is ValueType => v !== undefined);
  const t = present[0].dtype;
  for (const v of present) if (v.dtype !== t) throw nodeError(node, `inputs mix types ${present.map((x) => x.dtype).join(' and ')}`);
  return t;
}

export function requireRank(v: ValueType, min: number, node: Node, what: string, max = min): void {
  if (v.shape.length < min || v.shape.length > max) {
    const want = min === max ? `${min}` : `${min}..${max}`;
    throw nodeError(node, `${what} has rank ${v.shape.length} (shape ${v.shape.join('x') || 'scalar'}); expected rank ${want}`);
  }
}

/** The value of an input that must be constant (an initializer or folded), e.g. a Reshape shape. */
export function constantInput(input: InferInput | undefined, node: Node, what: string): Tensor | undefined {
  if (input === undefined) return undefined;
  if (!input.value) {
    throw nodeError(node, `${what} must be a constant (an initializer or computable from shapes), but it is computed at run time`);
  }
  return input.value;
}
