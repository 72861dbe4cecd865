// Integer-list inputs of the shape ops (shapes, axes, pads, starts...): read as constants, and built exactly as int64.

import { nodeError } from '../../errors.js';
import type { DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { countText, limits } from '../../ir/limits.js';
import { Tensor } from '../../ir/tensor.js';
import type { InferInput } from '../op-def.js';
import { constantInput } from './check.js';

export const INDEX_TYPES: readonly DType[] = ['int32', 'int64'];

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * The values of a constant integer list input (rank 1, or a scalar), as JS numbers; undefined when
 * the optional input is omitted. Values beyond 2^53 (INT64_MAX as a Slice end) are approximated,
 * which is exact enough for every use here: such values are only ever clamped.
 */
export function constantInts(
  input: InferInput | undefined,
  node: Node,
  what: string,
  allowed: readonly DType[] = ['int64'],
): number[] | undefined {
  const value = constantInput(input, node, what);
  if (value === undefined) return undefined;
  if (!allowed.includes(value.dtype)) throw nodeError(node, `${what} has type ${value.dtype}; supported: ${allowed.join(', ')}`);
  if (value.rank > 1) throw nodeError(node, `${what} has rank ${value.rank}; expected a 1-D list`);
  const max = limits().maxListValues;
  if (value.size > max) throw nodeError(node, `${what} lists ${countText(value.size)} values, more than the limit of ${countText(max)}`, 'the model is corrupt');
  return value.toNumbers();
}

/** The evaluate-time inputs seen as inference inputs with their values, so one resolver serves both. */
export function withValues(inputs: readonly (Tensor | undefined)[]): (InferInput | undefined)[] {
  return inputs.map((t) => (t === undefined ? undefined : { dtype: t.dtype, shape: t.shape, value: t }));
}

/** An int64 tensor from JS numbers, saturating at the int64 range (an attribute holding INT64_MAX arrives as 2^63). */
export function int64Tensor(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  const t = new Tensor('int64', shape);
  const data = t.data as BigInt64Array;
  values.forEach((v, i) => {
    const big = BigInt(Math.trunc(v));
    data[i] = big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big;
  });
  return t;
}
