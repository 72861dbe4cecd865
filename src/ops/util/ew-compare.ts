// Factory for the broadcasting comparisons (Less, Greater, Equal, ...): same-typed inputs, a bool output.

import type { DType } from '../../ir/dtype.js';
import { defineOp, type OpDef } from '../op-def.js';
import { broadcastShapes } from './broadcast.js';
import { NUMERIC_TYPES, required, requireType, sameType } from './check.js';
import { mapBroadcast } from './elementwise.js';

/** Works on numbers and bigints alike (JS comparison operators do). */
export type Comparison = (a: number | bigint, b: number | bigint) => boolean;

export function comparisonOp(opType: string, compare: Comparison, types: readonly DType[] = NUMERIC_TYPES): OpDef<Record<string, never>> {
  return defineOp<Record<string, never>>({
    opType,
    domain: '',
    inputs: [2, 2],
    outputs: [1, 1],
    parseAttrs: () => ({}),
    infer(inputs, _attrs, node) {
      const a = required(inputs, 0, node);
      const b = required(inputs, 1, node);
      sameType([a, b], node);
      requireType(a, types, node, 'input A');
      return [{ dtype: 'bool', shape: broadcastShapes([a.shape, b.shape], node) }];
    },
    evaluate(inputs, _attrs, node) {
      const a = required(inputs, 0, node);
      const b = required(inputs, 1, node);
      return [mapBroadcast([a, b], 'bool', node, (x, y) => (compare(x, y) ? 1 : 0))];
    },
  });
}
