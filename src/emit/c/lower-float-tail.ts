// The float Softmax tail of a quantized model in C: ep_softmax_tail_f32 (templates/c/lib/ep_float_tail.h), whose exp is
// the interpreter's (fdlibm's double exp rounded to float32), so that verify compares an int8 model bit for bit.

import { modelPrecision } from '../../analysis/model-precision.js';
import { int, value, type CCall } from './c-step.js';
import type { LowerContext } from './lower.js';

/** The exact Softmax call when the node is in a quantized model (verify compares its outputs bit for bit), else undefined. */
export function floatTailSoftmax(ctx: LowerContext, x: string, out: string, outer: number, len: number, inner: number): CCall | undefined {
  if (ctx.node.opType !== 'Softmax' || modelPrecision(ctx.graph).precision !== 'int8') return undefined;
  return { kernel: 'ep_softmax_tail_f32', args: [value(x), value(out), int(outer), int(len), int(inner)] };
}
