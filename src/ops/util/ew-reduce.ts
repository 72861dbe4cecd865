// Factory for ReduceSum/Mean/Max/Min: axes from a constant input, keepdims, noop_with_empty_axes, and the kernel.

import { nodeError } from '../../errors.js';
import { dtypeInfo, isBigIntType, isFloat, type DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { shapeSize, stridesOf, Tensor } from '../../ir/tensor.js';
import { defineOp, type OpDef, type UpgradeContext } from '../op-def.js';
import { normalizeAxes } from './axes.js';
import { constantInput, required, requireType } from './check.js';
import { finishFloat16 } from './elementwise.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ReduceAttrs {
  keepdims: boolean;
  noopWithEmptyAxes: boolean;
}

/** How one output element folds its inputs, for one dtype. */
export interface Reducer {
  init: number | bigint;
  step: (acc: any, v: any) => any;
  /** From the folded value and the number of elements folded to the stored result. */
  finish?: (acc: any, count: number) => number | bigint;
}

export interface ReduceSpec {
  opType: string;
  /** First opset where `axes` is an input rather than an attribute. */
  axesInputSince: number;
  types: readonly DType[];
  reducer: (dtype: DType) => Reducer;
}

/** Older opsets gave the axes as an attribute: it becomes a constant int64 input. */
function upgradeAxes(node: Node, ctx: UpgradeContext): void {
  const axes = node.attrs.axes;
  if (axes === undefined) return;
  if (axes.kind !== 'ints') throw nodeError(node, `attribute 'axes' has type ${axes.kind}, expected ints`);
  delete node.attrs.axes;
  if (axes.value.length === 0) return;
  const constant = ctx.addConstant(Tensor.fromNumbers('int64', [axes.value.length], axes.value), `${node.name}_axes`);
  node.inputs = [node.inputs[0], constant];
}

/** The sorted axes to reduce, or null when the node is the identity (no axes and noop_with_empty_axes). */
function resolveAxes(axesTensor: Tensor | undefined, rank: number, attrs: ReduceAttrs, node: Node): number[] | null {
  const given = axesTensor ? axesTensor.toNumbers() : [];
  if (axesTensor && axesTensor.rank > 1) throw nodeError(node, `axes must be 1-D, but has shape [${axesTensor.shape.join(',')}]`);
  if (given.length === 0) return attrs.noopWithEmptyAxes ? null : Array.from({ length: rank }, (_, i) => i);
  return normalizeAxes(given, rank, node).sort((a, b) => a - b);
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Fold the elements of x along `axes` (sorted) in increasing index order. */
export function reduceTensor(x: Tensor, axes: readonly number[], keepdims: boolean, reducer: Reducer): Tensor {
  const kept = reducedShape(x.shape, axes, true);
  const outStrides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const acc = new Array<any>(shapeSize(kept)).fill(reducer.init);
  const src = x.data as ArrayLike<any>;
  const rank = x.rank;
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    acc[o] = reducer.step(acc[o], src[i]);
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]++;
      o += outStrides[ax];
      if (counter[ax] < x.shape[ax]) break;
      o -= outStrides[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  const out = new Tensor(x.dtype, reducedShape(x.shape, axes, keepdims));
  const dst = out.data as any;
  const finish = reducer.finish;
  for (let k = 0; k < acc.length; k++) dst[k] = finish ? finish(acc[k], count) : acc[k];
  return finishFloat16(out);
}

export function reduceOp(spec: ReduceSpec): OpDef<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    opType: spec.opType,
    domain: '',
    inputs: [1, 2],
    outputs: [1, 1],
    parseAttrs: (a) => ({
      keepdims: a.intOf('keepdims', 1, [0, 1]) === 1,
      noopWithEmptyAxes: a.intOf('noop_with_empty_axes', 0, [0, 1]) === 1,
    }),
    upgrade(node, opset, ctx) {
      if (opset < spec.axesInputSince) upgradeAxes(node, ctx);
    },
    infer(inputs, attrs, node) {
      const x = required(inputs, 0, node);
      requireType(x, spec.types, node, 'input data');
      const axesTensor = constantInput(inputs[1], node, 'axes');
      if (inputs[1] && !['int64', 'int32'].includes(inputs[1].dtype)) throw nodeError(node, `axes has type ${inputs[1].dtype}; expected int64`);
      const axes = resolveAxes(axesTensor, x.shape.length, attrs, node);
      return [{ dtype: x.dtype, shape: axes ? reducedShape(x.shape, axes, attrs.keepdims) : x.shape }];
    },
    evaluate(inputs, attrs, node) {
      const x = required(inputs, 0, node);
      const axes = resolveAxes(inputs[1], x.rank, attrs, node);
      return [axes ? reduceTensor(x, axes, attrs.keepdims, spec.reducer(x.dtype)) : x.clone()];
    },
  });
}

/** Smallest and largest values of a dtype in its storage form (the identities of Max and Min). */
export function extremesOf(dtype: DType): { lowest: number | bigint; highest: number | bigint } {
  if (dtype === 'int64') return { lowest: -(2n ** 63n), highest: 2n ** 63n - 1n };
  if (dtype === 'uint64') return { lowest: 0n, highest: 2n ** 64n - 1n };
  if (isFloat(dtype)) return { lowest: -Infinity, highest: Infinity };
  const info = dtypeInfo(dtype);
  return { lowest: info.min, highest: info.max };
}

/** Addition in a dtype: rounded for float32/float16, wrapped for 32- and 64-bit integers. */
export function adder(dtype: DType): (a: any, b: any) => any {
  if (dtype === 'float64') return (a: number, b: number) => a + b;
  if (isFloat(dtype)) return (a: number, b: number) => Math.fround(a + b);
  if (dtype === 'int32') return (a: number, b: number) => (a + b) | 0;
  if (dtype === 'uint32') return (a: number, b: number) => (a + b) >>> 0;
  if (dtype === 'int64') return (a: bigint, b: bigint) => BigInt.asIntN(64, a + b);
  if (dtype === 'uint64') return (a: bigint, b: bigint) => BigInt.asUintN(64, a + b);
  // Narrower integers: exact in a double; the final store wraps.
  return (a: number, b: number) => a + b;
}

export function zeroOf(dtype: DType): number | bigint {
  return isBigIntType(dtype) ? 0n : 0;
}
