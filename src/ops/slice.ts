// Slice: a strided sub-tensor from constant starts/ends/axes/steps (negative steps, ends clamped to the dims).

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { shapeSize, stridesOf, Tensor } from '../ir/tensor.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { normalizeAxes } from './util/axes.js';
import { affineOffsets, takeElements } from './util/tensor-copy.js';
import { constantInts, INDEX_TYPES, withValues } from './util/tensor-ints.js';
import { moveIntsAttrToInput } from './util/tensor-upgrade.js';

/** Per input axis: the first element taken, the step, and how many are taken. */
interface SlicePlan {
  starts: number[];
  steps: number[];
  shape: number[];
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function slicePlan(inputs: readonly (InferInput | undefined)[], node: Node): SlicePlan {
  const data = required(inputs, 0, node);
  const rank = data.shape.length;
  const starts = constantInts(required(inputs, 1, node), node, 'input starts', INDEX_TYPES)!;
  const ends = constantInts(required(inputs, 2, node), node, 'input ends', INDEX_TYPES)!;
  const listedAxes = constantInts(inputs[3], node, 'input axes', INDEX_TYPES) ?? starts.map((_, i) => i);
  const steps = constantInts(inputs[4], node, 'input steps', INDEX_TYPES) ?? starts.map(() => 1);
  if (ends.length !== starts.length || listedAxes.length !== starts.length || steps.length !== starts.length) {
    throw nodeError(node, `starts, ends, axes and steps have different lengths (${starts.length}, ${ends.length}, ${listedAxes.length}, ${steps.length})`);
  }
  const axes = normalizeAxes(listedAxes, rank, node);
  const plan: SlicePlan = { starts: new Array<number>(rank).fill(0), steps: new Array<number>(rank).fill(1), shape: [...data.shape] };
  axes.forEach((axis, i) => {
    const dim = data.shape[axis];
    const step = steps[i];
    if (step === 0) throw nodeError(node, `step of axis ${axis} is 0`);
    let start = starts[i] < 0 ? starts[i] + dim : starts[i];
    let end = ends[i] < 0 ? ends[i] + dim : ends[i];
    // Huge values (INT64_MAX as "to the end") clamp like any other out-of-range value.
    if (step > 0) {
      start = clamp(start, 0, dim);
      end = clamp(end, 0, dim);
    } else {
      start = clamp(start, 0, dim - 1);
      end = clamp(end, -1, dim - 1);
    }
    plan.starts[axis] = start;
    plan.steps[axis] = step;
    plan.shape[axis] = Math.max(0, Math.ceil((end - start) / step));
  });
  return plan;
}

export const Slice = defineOp<Record<string, never>>({
  opType: 'Slice',
  domain: '',
  inputs: [3, 5],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  upgrade(node, opset, ctx) {
    if (opset >= 10) return;
    // Slice-1 held starts, ends and axes as attributes.
    const hasStarts = moveIntsAttrToInput(node, 'starts', 1, ctx);
    const hasEnds = moveIntsAttrToInput(node, 'ends', 2, ctx);
    if (!hasStarts || !hasEnds) throw nodeError(node, `needs the 'starts' and 'ends' attributes (required before opset 10)`);
    moveIntsAttrToInput(node, 'axes', 3, ctx);
  },
  infer(inputs, _attrs, node) {
    return [{ dtype: required(inputs, 0, node).dtype, shape: slicePlan(inputs, node).shape }];
  },
  evaluate(inputs, _attrs, node) {
    const data = required(inputs, 0, node);
    const plan = slicePlan(withValues(inputs), node);
    if (shapeSize(plan.shape) === 0) return [new Tensor(data.dtype, plan.shape)];
    const inStrides = stridesOf(data.shape);
    const base = plan.starts.reduce((sum, s, axis) => sum + s * inStrides[axis], 0);
    const strides = plan.steps.map((step, axis) => step * inStrides[axis]);
    return [takeElements(data, plan.shape, affineOffsets(plan.shape, strides, base))];
  },
});
