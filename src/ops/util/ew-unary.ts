// Factory for one-input elementwise ops (activations, Exp, Log, ...): type check, shape, and a per-element kernel.

import type { DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import type { AttrReader } from '../attrs.js';
import { defineOp, type OpDef } from '../op-def.js';
import { required, requireType } from './check.js';
import { mapUnary } from './elementwise.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface UnarySpec<A> {
  opType: string;
  /** Element types the op accepts; the output has the input's type. */
  types: readonly DType[];
  parseAttrs?: (a: AttrReader, node: Node) => A;
  /** The per-element function for one dtype: receives stored values (bigint for 64-bit integers). */
  kernel: (dtype: DType, attrs: A) => (v: any) => number | bigint;
}

export function unaryOp<A = Record<string, never>>(spec: UnarySpec<A>): OpDef<A> {
  return defineOp<A>({
    opType: spec.opType,
    domain: '',
    inputs: [1, 1],
    outputs: [1, 1],
    parseAttrs: (a, node) => (spec.parseAttrs ? spec.parseAttrs(a, node) : ({} as A)),
    infer(inputs, _attrs, node) {
      const x = required(inputs, 0, node);
      requireType(x, spec.types, node, 'input X');
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    evaluate(inputs, attrs, node) {
      const x = required(inputs, 0, node);
      return [mapUnary(x, spec.kernel(x.dtype, attrs))];
    },
  });
}

/** Rounding of intermediate results for a float dtype: single precision for float32/float16, none for float64. */
export function roundingFor(dtype: DType): (v: number) => number {
  return dtype === 'float64' ? (v) => v : Math.fround;
}
