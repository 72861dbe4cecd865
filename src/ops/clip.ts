// Clip: limit values to [min, max] (optional scalar inputs); when min > max every output equals max.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type InferInput, type UpgradeContext } from './op-def.js';
import { NUMERIC_TYPES, required, requireType } from './util/check.js';
import { mapUnary } from './util/elementwise.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Before opset 11, min and max were float attributes: they become float32 constants cast like X. */
function upgradeBoundsToInputs(node: Node, ctx: UpgradeContext): Node[] {
  const x = node.inputs[0];
  const extra: Node[] = [];
  const boundInput = (name: 'min' | 'max'): string => {
    const attr = node.attrs[name];
    if (attr === undefined) return '';
    if (attr.kind !== 'float' && attr.kind !== 'int') throw nodeError(node, `attribute '${name}' has type ${attr.kind}, expected float`);
    const constant = ctx.addConstant(Tensor.scalar('float32', attr.value), `${node.name}_${name}`);
    const cast = ctx.uniqueName(`${node.name}_${name}_cast`);
    extra.push({ name: '', opType: 'CastLike', domain: '', inputs: [constant, x], outputs: [cast], attrs: {} });
    return cast;
  };
  const lo = boundInput('min');
  const hi = boundInput('max');
  delete node.attrs.min;
  delete node.attrs.max;
  node.inputs = hi ? [x, lo, hi] : lo ? [x, lo] : [x];
  return [...extra, node];
}

function checkBound(bound: InferInput | undefined, x: InferInput, node: Node, what: string): void {
  if (!bound) return;
  if (bound.dtype !== x.dtype) throw nodeError(node, `${what} has type ${bound.dtype} but input has type ${x.dtype}`);
  if (bound.shape.reduce((a, b) => a * b, 1) !== 1 || bound.shape.length > 1) {
    throw nodeError(node, `${what} must be a scalar, but has shape [${bound.shape.join(',')}]`);
  }
}

export const Clip = defineOp<Record<string, never>>({
  opType: 'Clip',
  domain: '',
  inputs: [1, 3],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  upgrade(node, opset, ctx) {
    if (opset < 11) return upgradeBoundsToInputs(node, ctx);
  },
  infer(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    requireType(x, NUMERIC_TYPES, node, 'input');
    checkBound(inputs[1], x, node, 'min');
    checkBound(inputs[2], x, node, 'max');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  evaluate(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    const lo: any = inputs[1]?.data[0];
    const hi: any = inputs[2]?.data[0];
    // max(x, min) first and min(·, max) last, so that min > max gives max; NaN stays NaN.
    return [
      mapUnary(x, (v: any) => {
        let r = lo !== undefined && v < lo ? lo : v;
        if (hi !== undefined && r > hi) r = hi;
        return r;
      }),
    ];
  },
});
