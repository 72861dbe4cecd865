// Shared by Softmax and LogSoftmax: per-axis normalization (opset 13) and the rewrite of the older 2-D form.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { defineOp, type OpDef, type UpgradeContext } from '../op-def.js';
import { normalizeAxis } from './axes.js';
import { FLOAT_TYPES, required, requireType } from './check.js';
import { finishFloat16 } from './elementwise.js';
import { roundingFor } from './ew-unary.js';

export interface SoftmaxAttrs {
  axis: number;
}

/**
 * Before opset 13, (Log)Softmax flattened the input to 2-D at `axis` (default 1) and normalized
 * each row. That is Flatten(axis) → (Log)Softmax(axis=-1) → Reshape back to Shape(x); an old
 * axis of -1 already means the last axis alone, so such nodes only keep their attribute.
 */
export function upgradeSoftmax(node: Node, opset: number, ctx: UpgradeContext): Node[] | void {
  if (opset >= 13) return;
  const attr = node.attrs.axis;
  if (attr && attr.kind !== 'int') throw nodeError(node, `attribute 'axis' has type ${attr.kind}, expected int`);
  const axis = attr ? attr.value : 1;
  node.attrs = { axis: { kind: 'int', value: -1 } };
  if (axis === -1) return;
  const [x] = node.inputs;
  const [y] = node.outputs;
  const shape = ctx.uniqueName(`${node.name}_input_shape`);
  const flat = ctx.uniqueName(`${node.name}_flat`);
  const normalized = ctx.uniqueName(`${node.name}_flat_out`);
  const make = (opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({
    name: `${node.name}_${opType.toLowerCase()}`,
    opType,
    domain: '',
    inputs,
    outputs,
    attrs,
  });
  node.inputs = [flat];
  node.outputs = [normalized];
  return [
    make('Shape', [x], [shape]),
    make('Flatten', [x], [flat], { axis: { kind: 'int', value: axis } }),
    node,
    make('Reshape', [normalized, shape], [y]),
  ];
}

/** Normalize one row of `n` values at stride `step` from `start`, writing into `out`. */
type RowKernel = (x: ArrayLike<number>, out: Float32Array | Float64Array, start: number, n: number, step: number) => void;

function rowKernel(log: boolean, round: (v: number) => number): RowKernel {
  return (x, out, start, n, step) => {
    const end = start + n * step;
    let max = -Infinity;
    for (let i = start; i < end; i += step) if (x[i] > max || Number.isNaN(x[i])) max = x[i];
    let sum = 0;
    for (let i = start; i < end; i += step) {
      const e = round(Math.exp(round(x[i] - max)));
      sum = round(sum + e);
      if (!log) out[i] = e;
    }
    if (log) {
      const logSum = round(Math.log(sum));
      for (let i = start; i < end; i += step) out[i] = round(round(x[i] - max) - logSum);
    } else {
      for (let i = start; i < end; i += step) out[i] = round(out[i] / sum);
    }
  };
}

export function softmaxOp(opType: 'Softmax' | 'LogSoftmax'): OpDef<SoftmaxAttrs> {
  const log = opType === 'LogSoftmax';
  return defineOp<SoftmaxAttrs>({
    opType,
    domain: '',
    inputs: [1, 1],
    outputs: [1, 1],
    parseAttrs: (a) => ({ axis: a.int('axis', -1) }),
    upgrade: upgradeSoftmax,
    infer(inputs, attrs, node) {
      const x = required(inputs, 0, node);
      requireType(x, FLOAT_TYPES, node, 'input');
      if (x.shape.length > 0) normalizeAxis(attrs.axis, x.shape.length, node);
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    evaluate(inputs, attrs, node) {
      const x = required(inputs, 0, node);
      const out = new Tensor(x.dtype, x.shape);
      const rank = x.shape.length;
      // A scalar is one row of one element.
      const axis = rank === 0 ? 0 : normalizeAxis(attrs.axis, rank, node);
      const n = rank === 0 ? 1 : x.shape[axis];
      const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const kernel = rowKernel(log, roundingFor(x.dtype));
      const data = x.data as Float32Array | Float64Array;
      const dst = out.data as Float32Array | Float64Array;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) kernel(data, dst, o * n * inner + i, n, inner);
      }
      return [finishFloat16(out)];
    },
  });
}
