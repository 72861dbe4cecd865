// Factory for the variadic broadcasting ops (Max, Min, Sum, Mean): fold the inputs pairwise, left to right.

import type { DType } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/tensor.js';
import { defineOp, type OpDef } from '../op-def.js';
import { broadcastShapes } from './broadcast.js';
import { required, requireType, sameType } from './check.js';
import { mapBroadcast, mapUnary } from './elementwise.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface VariadicSpec {
  opType: string;
  types: readonly DType[];
  /** Combine two stored values (bigint for 64-bit integers); each partial result is stored in the input type. */
  combine: (a: any, b: any) => number | bigint;
  /** Applied to the folded result, with the number of inputs (Mean divides). */
  finish?: (v: number, count: number) => number;
}

export function variadicOp(spec: VariadicSpec): OpDef<Record<string, never>> {
  return defineOp<Record<string, never>>({
    opType: spec.opType,
    domain: '',
    inputs: [1, Infinity],
    outputs: [1, 1],
    parseAttrs: () => ({}),
    infer(inputs, _attrs, node) {
      const present = inputs.map((_, i) => required(inputs, i, node));
      const dtype = sameType(present, node);
      requireType(present[0], spec.types, node, 'input 0');
      return [{ dtype, shape: broadcastShapes(present.map((v) => v.shape), node) }];
    },
    evaluate(inputs, _attrs, node) {
      const present = inputs.map((_, i) => required(inputs, i, node));
      let acc: Tensor = mapUnary(present[0], (v) => v);
      for (const next of present.slice(1)) acc = mapBroadcast([acc, next], acc.dtype, node, spec.combine);
      const finish = spec.finish;
      return [finish ? mapUnary(acc, (v: number) => finish(v, present.length)) : acc];
    },
  });
}

/** Larger of two values; NaN wins, as numpy's maximum. */
export const larger = (a: any, b: any): any => (a > b || a !== a ? a : b);
/** Smaller of two values; NaN wins, as numpy's minimum. */
export const smaller = (a: any, b: any): any => (a < b || a !== a ? a : b);
