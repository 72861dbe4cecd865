// Pad: pad (or, with negative pads, crop) a tensor in constant, edge, reflect or wrap mode, optionally on some axes only.

import { nodeError } from '../errors.js';
import { isBigIntType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { stridesOf, Tensor } from '../ir/tensor.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { normalizeAxes } from './util/axes.js';
import { elementsOf } from './util/tensor-copy.js';
import { constantInts, INDEX_TYPES, withValues } from './util/tensor-ints.js';
import { moveIntsAttrToInput, setInput } from './util/tensor-upgrade.js';

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';
const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'edge', 'wrap'];

export interface PadAttrs {
  mode: PadMode;
}

/** Output shape, and per axis the input coordinate each output coordinate reads (-1: the constant). */
interface PadPlan {
  shape: number[];
  sources: Int32Array[];
}

/**
 * Where output coordinates of one axis read from. As ONNX's reference does, negative pads crop
 * first and the other modes then pad the cropped axis.
 */
function axisSources(dim: number, begin: number, end: number, mode: PadMode, axis: number, node: Node): Int32Array {
  const outDim = dim + begin + end;
  if (outDim < 0) throw nodeError(node, `pads ${begin}, ${end} crop axis ${axis} (size ${dim}) below size 0`);
  const cropBegin = Math.max(-begin, 0);
  const kept = dim - cropBegin - Math.max(-end, 0); // axis length after cropping (negative: overcropped)
  const padBegin = Math.max(begin, 0);
  const padEnd = Math.max(end, 0);
  const pads = padBegin > 0 || padEnd > 0;
  if (mode !== 'constant' && pads) {
    if (kept < 1) throw nodeError(node, `${mode} padding of axis ${axis} needs input elements, but the axis has none left after cropping`);
    if (mode === 'reflect' && (kept < 2 || padBegin > kept - 1 || padEnd > kept - 1)) {
      throw nodeError(node, `reflect pads ${padBegin}, ${padEnd} of axis ${axis} must be at most its size minus 1 (${kept - 1})`);
    }
  }
  const sources = new Int32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    const rel = o - padBegin;
    let src: number;
    if (rel >= 0 && rel < kept) src = rel;
    else if (mode === 'constant') src = -1;
    else if (mode === 'edge') src = rel < 0 ? 0 : kept - 1;
    else if (mode === 'reflect') src = rel < 0 ? -rel : 2 * (kept - 1) - rel;
    else src = ((rel % kept) + kept) % kept;
    sources[o] = src < 0 ? -1 : cropBegin + src;
  }
  return sources;
}

/** Begin and end pads per axis (0 on axes the optional axes input leaves out), after checking the inputs. */
export function resolvePads(inputs: readonly (InferInput | undefined)[], node: Node): { begins: number[]; ends: number[] } {
  const data = required(inputs, 0, node);
  const rank = data.shape.length;
  const pads = constantInts(required(inputs, 1, node), node, 'input pads')!;
  const listedAxes = constantInts(inputs[3], node, 'input axes', INDEX_TYPES);
  const axes = listedAxes === undefined ? data.shape.map((_, i) => i) : normalizeAxes(listedAxes, rank, node);
  if (pads.length !== 2 * axes.length) throw nodeError(node, `pads has ${pads.length} values; expected ${2 * axes.length} (begins and ends of ${axes.length} axes)`);
  const value = inputs[2];
  if (value !== undefined) {
    if (value.dtype !== data.dtype) throw nodeError(node, `constant_value has type ${value.dtype}, the data ${data.dtype}`);
    if (value.shape.reduce((a, b) => a * b, 1) !== 1) throw nodeError(node, `constant_value must hold one element; it has shape [${value.shape.join(', ')}]`);
  }
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  axes.forEach((axis, i) => {
    begins[axis] = pads[i];
    ends[axis] = pads[axes.length + i];
  });
  return { begins, ends };
}

function padPlan(inputs: readonly (InferInput | undefined)[], attrs: PadAttrs, node: Node): PadPlan {
  const data = required(inputs, 0, node);
  const { begins, ends } = resolvePads(inputs, node);
  const sources = data.shape.map((dim, axis) => axisSources(dim, begins[axis], ends[axis], attrs.mode, axis, node));
  return { shape: sources.map((s) => s.length), sources };
}

export const Pad = defineOp<PadAttrs>({
  opType: 'Pad',
  domain: '',
  inputs: [2, 4],
  outputs: [1, 1],
  parseAttrs: (a) => ({ mode: a.stringOf('mode', 'constant', PAD_MODES) }),
  upgrade(node, opset, ctx) {
    if (opset >= 11) return;
    // Pad-1 named the pads 'paddings', Pad-2 'pads'; both held the fill value in the float attribute 'value'.
    const moved = moveIntsAttrToInput(node, 'pads', 1, ctx) || moveIntsAttrToInput(node, 'paddings', 1, ctx, 'pads');
    if (!moved) throw nodeError(node, `has no 'pads' attribute (required before opset 11)`);
    const value = node.attrs['value'];
    delete node.attrs['value'];
    if (value !== undefined && value.kind !== 'float' && value.kind !== 'int') throw nodeError(node, `attribute 'value' has type ${value.kind}, expected float`);
    if (value === undefined || value.value === 0) return; // 0 is the default fill and needs no input
    // The fill must have the data's type (float16, float or double then): CastLike gives it, and folds away.
    const cast: Node = {
      name: `${node.name}_cast_value`,
      opType: 'CastLike',
      domain: '',
      inputs: [ctx.addConstant(Tensor.scalar('float32', value.value), `${node.name}_value`), node.inputs[0]],
      outputs: [ctx.uniqueName(`${node.name}_constant_value`)],
      attrs: {},
    };
    setInput(node, 2, cast.outputs[0]);
    return [cast, node];
  },
  infer(inputs, attrs, node) {
    return [{ dtype: required(inputs, 0, node).dtype, shape: padPlan(inputs, attrs, node).shape }];
  },
  evaluate(inputs, attrs, node) {
    const data = required(inputs, 0, node);
    const plan = padPlan(withValues(inputs), attrs, node);
    const out = new Tensor(data.dtype, plan.shape);
    const from = elementsOf(data);
    const to = elementsOf(out);
    const fill = inputs[2] ? elementsOf(inputs[2])[0] : isBigIntType(data.dtype) ? 0n : 0;
    const inStrides = stridesOf(data.shape);
    const rank = plan.shape.length;
    const coord = new Array<number>(rank).fill(0);
    for (let i = 0; i < to.length; i++) {
      let offset = 0;
      for (let axis = 0; axis < rank && offset >= 0; axis++) {
        const src = plan.sources[axis][coord[axis]];
        offset = src < 0 ? -1 : offset + src * inStrides[axis];
      }
      to[i] = offset < 0 ? fill : from[offset];
      for (let axis = rank - 1; axis >= 0; axis--) {
        if (++coord[axis] < plan.shape[axis]) break;
        coord[axis] = 0;
      }
    }
    return [out];
  },
});
